// The text log format: fixed places for time, level, NIC and group; the rest as key=value,
// bounded; one event stays one line; the journald priority survives the transform.
import { describe, expect, it } from 'vitest';
import { textLine, MAX_FIELDS_CHARS, MAX_VALUE_CHARS } from '../../../src/log-text.js';
import { createLogger, defaultLogFormat } from '../../../src/log.js';

function capture(format: 'text' | 'json', journal = false): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', format, journal, destination: { write: (s: string) => { lines.push(s); } } });
  return { lines, log };
}

describe('textLine', () => {
  it('puts time, level, NIC, group and message first, then the other fields', () => {
    const line = textLine('{"level":40,"time":"2024-05-01T10:00:00.000Z","svc":"ipmpd","group":"g0","ifname":"eth0","from":"eth0","to":"eth1","msg":"The link has gone down on eth0"}\n');
    expect(line).toBe('2024-05-01T10:00:00.000Z WARN  eth0 [g0] The link has gone down on eth0 from=eth0 to=eth1\n');
  });

  it('quotes values with spaces, shows an error by its message, arrays and objects as JSON', () => {
    const line = textLine(JSON.stringify({ level: 50, time: 't', msg: 'applying placement failed', reason: 'eth1 link up', err: { type: 'Error', message: 'EEXIST', stack: 'x\ny' }, groups: ['a', 'b'] }));
    expect(line).toBe('t ERROR applying placement failed reason="eth1 link up" err=EEXIST groups="[\\"a\\",\\"b\\"]"\n');
  });

  it('keeps one event on one line: a newline in a message or value cannot forge a second line', () => {
    const line = textLine(JSON.stringify({ level: 30, time: 't', msg: 'a\nINFO forged', x: 'b\nc' }));
    expect(line.split('\n')).toHaveLength(2);
    expect(line).toContain('a\\nINFO forged');
  });

  it('bounds a value and the field tail', () => {
    const one = textLine(JSON.stringify({ level: 30, time: 't', msg: 'm', big: 'x'.repeat(5000) }));
    expect(one.length).toBeLessThan(MAX_VALUE_CHARS + 40);
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(50)]));
    const line = textLine(JSON.stringify({ level: 30, time: 't', msg: 'm', ...many }));
    expect(line.length).toBeLessThan(MAX_FIELDS_CHARS + 40);
    expect(line.endsWith('…\n')).toBe(true);
  });

  it('passes a line that is not a JSON object through unchanged', () => {
    expect(textLine('not json\n')).toBe('not json\n');
    expect(textLine('[1,2]\n')).toBe('[1,2]\n');
  });
});

describe('createLogger format', () => {
  it('text: one readable line per call, without svc', () => {
    const { lines, log } = capture('text');
    log.child({ ifname: 'eth1' }).info({ group: 'g' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  eth1 \[g\] hello\n$/);
  });

  it('json stays pino JSON', () => {
    const { lines, log } = capture('json');
    log.warn({ a: 1 }, 'w');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, a: 1, msg: 'w', svc: 'ipmpd' });
  });

  it.each([
    ['text', 'error', 3], ['text', 'warn', 4], ['text', 'debug', 7], ['json', 'error', 3], ['json', 'info', 6],
  ] as const)('%s format keeps the journald priority of %s: <%d>', (format, level, prio) => {
    const { lines, log } = capture(format, true);
    log[level]('m');
    expect(lines[0]!.startsWith(`<${prio}>`)).toBe(true);
    if (format === 'text') expect(lines[0]).toMatch(new RegExp(`^<${prio}>\\S+Z ${level.toUpperCase()}`));
    else expect(JSON.parse(lines[0]!.slice(3))).toMatchObject({ msg: 'm' });
  });

  it('defaults to text on a terminal and to JSON otherwise', () => {
    expect(defaultLogFormat(true)).toBe('text');
    expect(defaultLogFormat(false)).toBe('json');
    expect(defaultLogFormat(undefined)).toBe('json');
  });
});

describe('ipmpd --log-format', () => {
  it('refuses an unknown format before anything starts (usage error, status 2) and --help lists both', async () => {
    const { runIpmpd } = await import('../../../src/cli/ipmpd.js');
    const { runCli } = await import('../../helpers/cli-io.js');
    const bad = await runCli(runIpmpd, ['--log-format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('ipmpd: --log-format must be one of text, json\n');
    expect((await runCli(runIpmpd, ['--help'])).stdout).toMatch(/--log-format F\s+text .* or json/);
  });
});
