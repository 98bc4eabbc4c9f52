// if_mpadm -d / -r semantics: refusals with Solaris messages and codes.
import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../../src/engine/index.js';
import { intentFromPlacement } from '../../../src/apply/from-placement.js';
import { config, roles, snapshotOf } from './helpers.js';

const cfg = config({
  groups: [{ name: 'g', members: [{ name: 'eth0', test: ['192.0.2.20/24'] }, 'eth1', 'eth2'], data: [['192.0.2.10/24', 'eth0']] }],
});

function engineWith(links: Record<string, boolean>) {
  const e = new Engine(cfg, 0);
  for (const [ifname, up] of Object.entries(links)) e.handle({ type: 'link', ifname, up }, 0);
  return e;
}

const off = (ifname: string): EngineEvent => ({ type: 'offline', ifname });
const undo = (ifname: string): EngineEvent => ({ type: 'undo-offline', ifname });

const MINRED = { ok: false, code: 'EMINRED', message: 'cannot offline: no other functioning interfaces are in its IPMP group' };

describe('offline / undo-offline', () => {
  it.each([
    ['unknown interface', { eth0: true, eth1: true, eth2: true }, [off('eth9')],
      { ok: false, code: 'EUNKIF', message: 'not a physical interface or not in an IPMP group' }],
    ['undo on unknown interface', { eth0: true, eth1: true, eth2: true }, [undo('eth9')],
      { ok: false, code: 'EUNKIF', message: 'not a physical interface or not in an IPMP group' }],
    ['last usable member', { eth0: true, eth1: false, eth2: false }, [off('eth0')], MINRED],
    ['others offline or failed', { eth0: true, eth1: true, eth2: false }, [off('eth1'), off('eth0')], MINRED],
    ['already offlined', { eth0: true, eth1: true, eth2: true }, [off('eth0'), off('eth0')],
      { ok: false, code: 'EALREADY', message: 'Interface already offlined' }],
    ['not offlined', { eth0: true, eth1: true, eth2: true }, [undo('eth0')],
      { ok: false, code: 'ENOTOFFLINE', message: 'Interface not offlined' }],
    ['allowed with one other usable member', { eth0: true, eth1: true, eth2: false }, [off('eth0')], { ok: true }],
    ['failed group: allowed if another member is not offline', { eth0: false, eth1: false, eth2: false }, [off('eth0')], { ok: true }],
    ['failed group: refused when the rest are offline', { eth0: false, eth1: false, eth2: false }, [off('eth1'), off('eth2'), off('eth0')], MINRED],
  ] as const)('%s', (_n, links, events, reply) => {
    const e = engineWith(links);
    let last;
    for (const ev of events) last = e.handle(ev, 10);
    expect(last?.reply).toEqual(reply);
  });

  it('a refused offline changes nothing', () => {
    const e = engineWith({ eth0: true, eth1: false, eth2: false });
    const before = e.placement();
    const r = e.handle(off('eth0'), 10);
    expect(r.placement).toEqual(before);
    expect(r.changes).toEqual([]);
  });

  it('offlined member: state offline, addresses away, announced as moved', () => {
    const e = engineWith({ eth0: true, eth1: true, eth2: true });
    const r = e.handle(off('eth0'), 10);
    expect(roles(r.placement)).toBe('eth0:O eth1:A eth2:A');
    expect(r.changes).toContainEqual({ kind: 'address-moved', group: 'g', address: '192.0.2.10/24', from: 'eth0', to: 'eth1' });
    expect(snapshotOf(e).interfaces[0]?.state).toBe('offline');
    expect(snapshotOf(e).groups[0]?.state).toBe('degraded');
  });

  it('as in.mpathd: an offline NIC\'s test addresses go down, it is not probed (PROBE disabled, FLAGS d); -r restores them', () => {
    const e = engineWith({ eth0: true, eth1: true, eth2: true });
    e.handle({ type: 'probe', ifname: 'eth0', state: 'ok' }, 1);
    const testOn = (): string[] => intentFromPlacement(e.placement(), cfg).addresses.filter((a) => a.role === 'test').map((a) => `${a.address}@${a.ifname}`);
    expect(testOn()).toEqual(['192.0.2.20@eth0']);
    e.handle(off('eth0'), 10);
    expect(testOn()).toEqual([]);
    const i = snapshotOf(e).interfaces[0];
    expect({ probe: i?.probe, down: i?.flags.down, state: i?.state }).toEqual({ probe: 'disabled', down: true, state: 'offline' });
    e.handle(undo('eth0'), 20);
    expect(testOn()).toEqual(['192.0.2.20@eth0']);
    expect(snapshotOf(e).interfaces[0]?.flags.down).toBe(false);
  });
});
