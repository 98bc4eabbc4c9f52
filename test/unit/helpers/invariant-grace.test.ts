// The chaos invariant and make-before-break: two copies of a data address inside the failback
// grace are intended and not flagged; a copy that outlives grace + margin is.
import { describe, expect, it } from 'vitest';
import { GRACE_MARGIN_MS, kernelViolations, settledSnapshot, type ChaosConfig, type KernelSnapshot } from '../../helpers/invariant.js';

const CONFIG: ChaosConfig = {
  group: 'g', members: [{ name: 'eth0', test: '192.0.2.10/24' }, { name: 'eth1', test: '192.0.2.11/24' }],
  data: [{ address: '192.0.2.100', prefixLen: 24, home: 'eth0' }], defaultRouters: [], subnets: ['192.0.2.0/24'], fdtMs: 1000,
  failbackGraceMs: 50,
};
const route = { dst: '192.0.2.0/24', protocol: '73', prefsrc: '192.0.2.100', devs: ['eth0', 'eth1'] };
const snap = (eth0: string[], eth1: string[]): KernelSnapshot => ({
  links: [
    { index: 2, name: 'eth0', up: true, lowerUp: true, inet: ['192.0.2.10/24', ...eth0] },
    { index: 3, name: 'eth1', up: true, lowerUp: true, inet: ['192.0.2.11/24', ...eth1] },
  ],
  routes: [route],
});
const BOTH = snap(['192.0.2.100/24'], ['192.0.2.100/24']);
const HOME = snap(['192.0.2.100/24'], []);

async function judge(dumps: KernelSnapshot[]): Promise<{ violations: string[]; waited: number[] }> {
  const waited: number[] = [];
  let i = 0;
  const s = await settledSnapshot(() => dumps[Math.min(i++, dumps.length - 1)] as KernelSnapshot, CONFIG, async (ms) => { waited.push(ms); });
  return { violations: kernelViolations(s, CONFIG), waited };
}

describe('invariant: the failback grace', () => {
  it('two copies that resolve within grace + margin are not a violation', async () => {
    const r = await judge([BOTH, HOME]);
    expect(r.violations).toEqual([]);
    expect(r.waited).toEqual([50 + GRACE_MARGIN_MS]);
  });

  it('a copy that outlives grace + margin is flagged', async () => {
    const r = await judge([BOTH, BOTH]);
    expect(r.violations).toEqual(['(a) 192.0.2.100 on 2 NICs: eth0, eth1']);
  });

  it('a settled dump is judged at once, without waiting', async () => {
    const r = await judge([HOME]);
    expect(r.violations).toEqual([]);
    expect(r.waited).toEqual([]);
  });
});
