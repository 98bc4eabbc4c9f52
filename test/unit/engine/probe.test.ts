// The probe-detector hook: in.mpathd's group-failure test with probe evidence, and probe resets.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { config, roles, where, snapshotOf } from './helpers.js';

const cfg = config({
  groups: [{
    name: 'g',
    members: [{ name: 'eth0', test: ['192.0.2.100/24'] }, { name: 'eth1', test: ['192.0.2.101/24'] }, 'eth2'],
    data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']],
  }],
});
const probersOnly = config({
  groups: [{
    name: 'g',
    members: [{ name: 'eth0', test: ['192.0.2.100/24'] }, { name: 'eth1', test: ['192.0.2.101/24'] }],
    data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']],
  }],
});

function start(c = probersOnly) {
  const e = new Engine(c, 0);
  for (const m of c.groups[0]!.interfaces) e.handle({ type: 'link', ifname: m.name, up: true }, 0);
  for (const m of c.groups[0]!.interfaces) if (m.testAddresses.length) e.handle({ type: 'probe', ifname: m.name, state: 'ok', lastOkAt: 0 }, 0);
  return e;
}

describe('probe hook', () => {
  it('all members failing at once is a group failure: nothing moves', () => {
    const e = start();
    // eth1's last good probe (1000) is older than eth0's first loss (2000): no evidence it works.
    e.handle({ type: 'probe', ifname: 'eth1', state: 'ok', lastOkAt: 1000 }, 1000);
    const r = e.handle({ type: 'probe', ifname: 'eth0', state: 'failed', failingSince: 2000 }, 9000);
    expect(roles(r.placement)).toBe('eth0:F eth1:F');
    expect(where(r.placement)).toEqual({ '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' });
    expect(r.placement.groups[0]?.addresses.every((a) => !a.bound)).toBe(true);
    expect(r.log.map((l) => l.msg)).toEqual(['All Interfaces in group g have failed']);
    expect(r.probeResets.sort()).toEqual(['eth0', 'eth1']);
    // eth1 must re-earn ok; a later 'ok' repairs it and it takes all the addresses.
    expect(roles(e.tick(9500).placement)).toBe('eth0:F eth1:F');
    const back = e.handle({ type: 'probe', ifname: 'eth1', state: 'ok', lastOkAt: 20_000 }, 20_000);
    expect(roles(back.placement)).toBe('eth0:F eth1:A');
    expect(where(back.placement)).toEqual({ '192.0.2.10': 'eth1', '192.0.2.11': 'eth1' });
  });

  it('another member with a newer good probe makes it an interface failure', () => {
    const e = start();
    e.handle({ type: 'probe', ifname: 'eth1', state: 'ok', lastOkAt: 8000 }, 8000);
    const r = e.handle({ type: 'probe', ifname: 'eth0', state: 'failed', failingSince: 2000 }, 9000);
    expect(roles(r.placement)).toBe('eth0:F eth1:A');
    expect(where(r.placement)['192.0.2.10']).toBe('eth1');
  });

  it('a link-only member always counts as working (Clearview)', () => {
    const e = start(cfg);
    e.handle({ type: 'probe', ifname: 'eth1', state: 'ok', lastOkAt: 1000 }, 1000);
    const r = e.handle({ type: 'probe', ifname: 'eth0', state: 'failed', failingSince: 2000 }, 9000);
    expect(roles(r.placement)).toBe('eth0:F eth1:A eth2:A');
  });

  it('link down asks for a probe reset', () => {
    const e = start();
    const r = e.handle({ type: 'link', ifname: 'eth0', up: false }, 10);
    expect(r.probeResets).toEqual(['eth0']);
  });

  it('default probe states: disabled without test addresses, unknown with', () => {
    const e = new Engine(cfg, 0);
    for (const n of ['eth0', 'eth1', 'eth2']) e.handle({ type: 'link', ifname: n, up: true }, 0);
    const s = snapshotOf(e);
    expect(s.interfaces.map((i) => [i.interface, i.probe, i.state])).toEqual([
      ['eth0', 'unknown', 'unknown'], ['eth1', 'unknown', 'unknown'], ['eth2', 'disabled', 'ok'],
    ]);
    expect(s.groups[0]?.fdtMs).toBe(10000);
  });
});

describe('IPv6 link-local test address', () => {
  it('a member probing from its link-local starts as unknown, not disabled', () => {
    const c = config({ groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['2001:db8::10/64', 'eth0']] }] });
    c.groups[0]!.interfaces[0]!.ipv6LinkLocalTest = true;
    const e = new Engine(c, 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    expect(snapshotOf(e).interfaces.map((i) => i.probe)).toEqual(['unknown', 'disabled']);
  });
});
