import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { last, parseUnitFile, timeSpanMs, tokens, values } from './unit-file.js';

describe('parseUnitFile', () => {
  it('reads sections, comments, repeated keys and continuations', () => {
    const unit = parseUnitFile([
      '# comment',
      '[Unit]',
      'Description = a daemon ',
      '[Service]',
      '; other comment',
      'ExecStart=/bin/a \\',
      '  --flag \\',
      '# skipped inside a continuation',
      '  value',
      'RestrictAddressFamilies=AF_UNIX',
      'RestrictAddressFamilies=AF_INET AF_INET6',
      'Environment=A=1',
    ].join('\n'));
    expect(last(unit, 'Unit', 'Description')).toBe('a daemon');
    expect(last(unit, 'Service', 'ExecStart')).toBe('/bin/a  --flag  value');
    expect([...tokens(unit, 'Service', 'RestrictAddressFamilies')]).toEqual(['AF_UNIX', 'AF_INET', 'AF_INET6']);
    expect(last(unit, 'Service', 'Environment')).toBe('A=1');
    expect(unit.get('Service')?.[0]?.line).toBe(6);
  });

  it('resets a list on an empty assignment, as systemd does', () => {
    const unit = parseUnitFile('[Service]\nCapabilityBoundingSet=CAP_SYS_ADMIN\nCapabilityBoundingSet=\nCapabilityBoundingSet=CAP_NET_RAW\n');
    expect(values(unit, 'Service', 'CapabilityBoundingSet')).toEqual(['CAP_NET_RAW']);
  });

  it.each([
    ['Key=Value before any section', 'Key=1\n[Unit]\n'],
    ['a line without =', '[Unit]\nDescription\n'],
    ['an empty key', '[Unit]\n=x\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseUnitFile(text)).toThrow(/not a section header/);
  });

  it('gives back every key=value written, in order (property)', () => {
    const key = fc.stringMatching(/^[A-Z][A-Za-z]{0,15}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/).filter((v) => !v.endsWith('\\'));
    fc.assert(fc.property(fc.array(fc.tuple(key, value), { maxLength: 20 }), (pairs) => {
      const text = `[S]\n${pairs.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
      const parsed = parseUnitFile(text).get('S') ?? [];
      expect(parsed.map((e) => [e.key, e.value])).toEqual(pairs);
    }));
  });
});

describe('timeSpanMs', () => {
  it.each([
    ['20s', 20_000], ['20', 20_000], ['500ms', 500], ['1min 30s', 90_000], ['1h', 3_600_000], ['2min', 120_000],
  ])('%s = %d ms', (span, ms) => {
    expect(timeSpanMs(span)).toBe(ms);
  });

  it.each(['', 'banana', '10 parsecs', '5s x'])('rejects %j', (span) => {
    expect(() => timeSpanMs(span)).toThrow();
  });
});
