// The anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no): failure detection and ipmpstat
// reporting for NICs in no group; no failover, no group failure, no if_mpadm.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { intentFromPlacement } from '../../../src/apply/from-placement.js';
import { renderIpmpstat } from '../../../src/cli/ipmpstat-render.js';
import { config, snapshotOf } from './helpers.js';

const base = config({ groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['192.0.2.10/24', 'eth0']] }] });
const cfg = {
  ...base,
  mpathd: { ...base.mpathd, trackInterfacesOnlyWithGroups: false },
  anonymous: [{ name: 'eth3', standby: false, testAddresses: ['198.51.100.20/24'] }, { name: 'eth4', standby: false, testAddresses: [] }],
};

function started(): Engine {
  const e = new Engine(cfg, 0);
  for (const n of ['eth0', 'eth1', 'eth3', 'eth4']) e.handle({ type: 'link', ifname: n, up: true }, 0);
  return e;
}

describe('anonymous group', () => {
  it('members are tracked: ipmpstat -i with an empty GROUP (--), not in -g', () => {
    const e = started();
    const s = snapshotOf(e);
    expect(s.groups.map((g) => g.group)).toEqual(['g']);
    expect(s.interfaces.filter((i) => i.group === '').map((i) => [i.interface, i.state, i.probe, i.active])).toEqual([
      ['eth3', 'unknown', 'unknown', true], ['eth4', 'ok', 'disabled', true],
    ]);
    const out = renderIpmpstat(s, { mode: 'i', numeric: true, parsable: false });
    expect(out).toMatch(/^eth4\s+yes\s+--\s+-------\s+up\s+disabled\s+ok\s*$/m);
  });

  it('a failure is the interface\'s own: logged without a group, nothing moves, no group failure', () => {
    const e = started();
    const r = e.handle({ type: 'link', ifname: 'eth4', up: false }, 10);
    expect(r.log.map((l) => l.msg)).toEqual(['The link has gone down on eth4', 'NIC failure detected on eth4']);
    expect(snapshotOf(e).interfaces.find((i) => i.interface === 'eth4')?.state).toBe('failed');
    const both = e.handle({ type: 'probe', ifname: 'eth3', state: 'failed' }, 20);
    expect(both.log.map((l) => l.msg)).toEqual(['NIC failure detected on eth3']);
    expect(both.placement.groups.find((g) => g.anonymous)?.state).toBe('ok');
    const back = e.handle({ type: 'link', ifname: 'eth4', up: true }, 30);
    expect(back.log.map((l) => l.msg)).toContain('NIC repair detected on eth4');
  });

  it('only the test address and its subnet route are placed; no default or data routes over anonymous NICs', () => {
    const e = started();
    const intent = intentFromPlacement(e.placement(), cfg);
    expect(intent.members).toEqual(['eth0', 'eth1', 'eth3', 'eth4']);
    expect(intent.addresses.filter((a) => a.group === '')).toEqual([expect.objectContaining({ ifname: 'eth3', address: '198.51.100.20', role: 'test' })]);
    expect(intent.routes.filter((r) => r.group === '').map((r) => `${r.dst}/${r.dstLen} ${r.nexthops.map((h) => h.ifname).join(',')}`)).toEqual(['198.51.100.0/24 eth3']);
  });

  it('if_mpadm refuses anonymous NICs as Solaris does (not in an IPMP group)', () => {
    const e = started();
    expect(e.handle({ type: 'offline', ifname: 'eth4' }, 10).reply?.code).toBe('EUNKIF');
    expect(e.handle({ type: 'undo-offline', ifname: 'eth4' }, 10).reply?.code).toBe('EUNKIF');
  });

  it('not tracked while trackInterfacesOnlyWithGroups is true', () => {
    const e = new Engine({ ...cfg, mpathd: { ...cfg.mpathd, trackInterfacesOnlyWithGroups: true } }, 0);
    expect(e.placement().groups.map((g) => g.group)).toEqual(['g']);
  });
});
