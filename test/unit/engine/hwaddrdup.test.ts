// Duplicate hardware addresses in a group (Solaris 11 in.mpathd, ipmpstat FLAGS h): the member
// that takes another member's MAC goes offline, and comes back when its MAC is unique again.
import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../../src/engine/index.js';
import { intentFromPlacement } from '../../../src/apply/from-placement.js';
import { formatFlags } from '../../../src/cli/ipmpstat-fields.js';
import { allUp, config, roles, snapshotOf, where } from './helpers.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';

const cfg = config({
  groups: [{
    name: 'g',
    members: [{ name: 'eth0', test: ['192.0.2.20/24'] }, { name: 'eth1', test: ['192.0.2.21/24'] }, 'eth2'],
    data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']],
  }],
});

const macs = (...pairs: [string, string | null][]): EngineEvent => ({ type: 'hwaddr', links: pairs.map(([ifname, mac]) => ({ ifname, mac })) });

function started(): Engine {
  const e = new Engine(cfg, 0);
  allUp(e, ['eth0', 'eth1', 'eth2']);
  e.handle(macs(['eth0', A], ['eth1', B], ['eth2', C]), 0);
  return e;
}

const flagsOf = (e: Engine, ifname: string): string => {
  const i = snapshotOf(e).interfaces.find((x) => x.interface === ifname);
  return i ? `${formatFlags(i.flags)} ${i.state} ${i.probe}` : 'absent';
};

describe('duplicate hardware addresses', () => {
  it('unique addresses change nothing', () => {
    const e = started();
    expect(roles(e.placement())).toBe('eth0:A eth1:A eth2:A');
    expect(snapshotOf(e).interfaces.every((i) => !i.flags.hwaddrdup)).toBe(true);
  });

  it('found together at start: the later one in the event (higher ifindex) is offlined', () => {
    const e = new Engine(cfg, 0);
    allUp(e, ['eth0', 'eth1', 'eth2']);
    const r = e.handle(macs(['eth0', A], ['eth1', A], ['eth2', C]), 0);
    expect(roles(r.placement)).toBe('eth0:A eth1:O eth2:A');
    expect(r.log.map((l) => l.msg)).toContain('IP interface eth1 has a hardware address which is not unique in group g; offlining');
  });

  it('a member taking another one\'s MAC goes offline: FLAGS h, test address kept, data address moved', () => {
    const e = started();
    const r = e.handle(macs(['eth1', A]), 10);
    expect(r.log).toContainEqual(expect.objectContaining({
      level: 'error', ifname: 'eth1', group: 'g',
      msg: 'IP interface eth1 has a hardware address which is not unique in group g; offlining',
    }));
    expect(roles(r.placement)).toBe('eth0:A eth1:O eth2:A');
    expect(where(r.placement)['192.0.2.11']).not.toBe('eth1');
    expect(flagsOf(e, 'eth1')).toBe('------h offline disabled');
    // in.mpathd offlines it itself: no if_mpadm brought its addresses down.
    const intent = intentFromPlacement(r.placement, cfg);
    expect(intent.addresses.some((a) => a.ifname === 'eth1' && a.address === '192.0.2.21')).toBe(true);
    expect(snapshotOf(e).interfaces.find((i) => i.interface === 'eth1')?.flags.down).toBe(false);
  });

  it('the MAC differs again (operator changed it): onlined, data address back', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    const r = e.handle(macs(['eth1', B]), 20);
    expect(r.log.map((l) => l.msg)).toContain('IP interface eth1 now has a unique hardware address in group g; onlining');
    expect(roles(r.placement)).toBe('eth0:A eth1:A eth2:A');
    expect(where(r.placement)['192.0.2.11']).toBe('eth1');
    expect(flagsOf(e, 'eth1')).not.toContain('h');
  });

  it('the keeper changes its MAC away: the duplicate comes back', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    const r = e.handle(macs(['eth0', C.replace('0c', '0d')]), 20);
    expect(roles(r.placement)).toBe('eth0:A eth1:A eth2:A');
  });

  it('the keeper vanishes (mac null): the duplicate comes back', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    e.handle({ type: 'link-missing', ifname: 'eth0' }, 20);
    const r = e.handle(macs(['eth0', null]), 20);
    expect(roles(r.placement)).toBe('eth0:F eth1:A eth2:A');
  });

  it('if_mpadm -r on the duplicate is refused with EHWADDRDUP; -d on it says already offline', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    expect(e.handle({ type: 'undo-offline', ifname: 'eth1' }, 20).reply).toEqual({ ok: false, code: 'EHWADDRDUP', message: 'interface has duplicate hardware address' });
    expect(e.handle({ type: 'offline', ifname: 'eth1' }, 20).reply?.code).toBe('EALREADY');
  });

  it('offlining the keeper onlines the duplicate; undoing it then finds the duplicate online', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    const r = e.handle({ type: 'offline', ifname: 'eth0' }, 20);
    expect(r.reply).toEqual({ ok: true });
    expect(roles(r.placement)).toBe('eth0:O eth1:A eth2:A');
    expect(flagsOf(e, 'eth0')).toBe('-----d- offline disabled');
    const u = e.handle({ type: 'undo-offline', ifname: 'eth0' }, 30);
    expect(u.reply?.code).toBe('EHWADDRDUP');
    expect(flagsOf(e, 'eth0')).toBe('-----dh offline disabled');
  });

  it('an administratively offline member does not count as a duplicate', () => {
    const e = started();
    e.handle({ type: 'offline', ifname: 'eth0' }, 10);
    const r = e.handle(macs(['eth1', A]), 20);
    expect(roles(r.placement)).toBe('eth0:O eth1:A eth2:A');
  });

  it('a duplicate survives a reload by name', () => {
    const e = started();
    e.handle(macs(['eth1', A]), 10);
    e.reload(cfg, 20);
    expect(flagsOf(e, 'eth1')).toBe('------h offline disabled');
    expect(e.handle(macs(['eth1', B]), 30).log.map((l) => l.msg)).toContain('IP interface eth1 now has a unique hardware address in group g; onlining');
  });

  it('members of different groups may share a MAC', () => {
    const two = config({ groups: [{ name: 'a', members: ['eth0', 'eth1'], data: [] }, { name: 'b', members: ['eth2', 'eth3'], data: [] }] });
    const e = new Engine(two, 0);
    allUp(e, ['eth0', 'eth1', 'eth2', 'eth3']);
    const r = e.handle(macs(['eth0', A], ['eth1', B], ['eth2', A], ['eth3', C]), 0);
    expect(roles(r.placement)).toBe('eth0:A eth1:A eth2:A eth3:A');
  });
});
