// ipmpstat names through the system resolver: the host part, numbers when nothing is known,
// and a deadline so a slow name service never hangs the tool.
import { describe, expect, it } from 'vitest';
import { resolveNames, type ReverseLookup } from '../../../src/cli/name-lookup.js';

const table: Record<string, string> = { '192.0.2.100': 'web.example.com', '192.0.2.254': 'router' };
const lookup: ReverseLookup = async (a) => {
  if (a === '192.0.2.99') throw Object.assign(new Error('getnameinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  return table[a] ?? a;
};

describe('resolveNames', () => {
  it('gives the host part of a name, and nothing for unknown or failing addresses', async () => {
    const r = await resolveNames(['192.0.2.100', '192.0.2.254', '192.0.2.7', '192.0.2.99'], 1000, lookup);
    expect(['192.0.2.100', '192.0.2.254', '192.0.2.7', '192.0.2.99'].map(r)).toEqual(['web', 'router', undefined, undefined]);
  });

  it('looks each address up once', async () => {
    const asked: string[] = [];
    await resolveNames(['192.0.2.1', '192.0.2.1', '192.0.2.2'], 1000, async (a) => { asked.push(a); return a; });
    expect(asked).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('a lookup that never answers leaves the address numeric once the deadline passes', async () => {
    const never: ReverseLookup = (a) => (a === '192.0.2.100' ? Promise.resolve('web') : new Promise<string>(() => undefined));
    const r = await resolveNames(['192.0.2.100', '192.0.2.5'], 50, never);
    expect([r('192.0.2.100'), r('192.0.2.5')]).toEqual(['web', undefined]);
  });
});
