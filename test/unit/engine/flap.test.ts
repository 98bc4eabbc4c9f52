// Flap damping: >2 link-ups within a minute defer link-based repair until 60 s after the older
// of the last two link-ups; nextDeadline() exposes that time; the message is in.mpathd's.
import { describe, expect, it } from 'vitest';
import { Engine, LinkWatch } from '../../../src/engine/index.js';
import { config, roles } from './helpers.js';

const FLAP_MSG = 'The link has come up on eth0 more than 2 times in the last minute; disabling repair until it stabilizes';

function cfg(test: string[] = []) {
  return config({ groups: [{ name: 'g', members: [{ name: 'eth0', test }, 'eth1'], data: [['192.0.2.10/24', 'eth0']] }] });
}

function flap(engine: Engine, ups: number[]) {
  let r;
  for (const t of ups) {
    engine.handle({ type: 'link', ifname: 'eth0', up: false }, t - 500);
    r = engine.handle({ type: 'link', ifname: 'eth0', up: true }, t);
  }
  return r!;
}

describe('flap damping', () => {
  it('the initial link event does not count as a link-up', () => {
    const e = new Engine(cfg(), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    const r = flap(e, [1000, 2000]);
    expect(roles(r.placement)).toBe('eth0:A eth1:A');
    expect(e.nextDeadline()).toBeUndefined();
  });

  it('third link-up within a minute defers repair to older-of-last-two + 60 s, exactly', () => {
    const e = new Engine(cfg(), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    flap(e, [1000, 2000]);
    const r = flap(e, [3000]);
    expect(roles(r.placement)).toBe('eth0:F eth1:A');
    expect(r.placement.groups[0]?.addresses[0]?.nic).toBe('eth1');
    expect(r.log.map((l) => l.msg)).toContain(FLAP_MSG);
    expect(r.log.find((l) => l.msg === FLAP_MSG)?.fields.until).toBe(62_000);
    expect(e.nextDeadline()).toBe(62_000); // last two link-ups: 2000 and 3000
    const early = e.tick(61_999);
    expect(roles(early.placement)).toBe('eth0:F eth1:A');
    expect(early.log).toEqual([]); // message logged once per deferral
    const late = e.tick(62_000);
    expect(roles(late.placement)).toBe('eth0:A eth1:A');
    expect(late.placement.groups[0]?.addresses[0]?.nic).toBe('eth0');
    expect(late.log.map((l) => l.msg)).toContain('NIC repair detected on eth0 of group g');
    expect(e.nextDeadline()).toBeUndefined();
  });

  it('link-ups spread over more than a minute are not flapping', () => {
    const e = new Engine(cfg(), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    const r = flap(e, [1000, 30_000, 61_001]);
    expect(roles(r.placement)).toBe('eth0:A eth1:A');
  });

  it('exactly 60 s after the oldest still counts as flapping (in.mpathd uses >)', () => {
    const e = new Engine(cfg(), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    const r = flap(e, [1000, 30_000, 61_000]);
    expect(roles(r.placement)).toBe('eth0:F eth1:A');
    expect(e.nextDeadline()).toBe(90_000);
  });

  it('a probe verdict of ok vouches for the repair: no damping', () => {
    const e = new Engine(cfg(['192.0.2.100/24']), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    e.handle({ type: 'probe', ifname: 'eth0', state: 'ok' }, 0);
    const r = flap(e, [1000, 2000, 3000]);
    expect(roles(r.placement)).toBe('eth0:A eth1:A');
  });

  it('a probe ok during the deferral repairs at once', () => {
    const e = new Engine(cfg(['192.0.2.100/24']), 0);
    e.handle({ type: 'link', ifname: 'eth0', up: true }, 0);
    e.handle({ type: 'link', ifname: 'eth1', up: true }, 0);
    flap(e, [1000, 2000, 3000]); // probe 'unknown' (no targets yet): damping applies
    expect(e.nextDeadline()).toBe(62_000);
    const r = e.handle({ type: 'probe', ifname: 'eth0', state: 'ok' }, 4000);
    expect(roles(r.placement)).toBe('eth0:A eth1:A');
  });

  it('LinkWatch alone: transitions and deadline', () => {
    const w = new LinkWatch();
    expect(w.observe('up', 0)).toEqual({ initial: true, cameUp: false, wentDown: false, vanished: false });
    expect(w.observe('up', 1)).toEqual({ initial: false, cameUp: false, wentDown: false, vanished: false });
    expect(w.observe('down', 2).wentDown).toBe(true);
    expect(w.observe('up', 10).cameUp).toBe(true);
    w.observe('down', 11);
    w.observe('up', 20);
    w.observe('missing', 21);
    expect(w.state).toBe('missing');
    expect(w.observe('up', 30).cameUp).toBe(true); // third up within a minute
    expect(w.repairDeferred(30)).toBe(true);
    expect(w.deferredUntil(30)).toBe(60_020);
    expect(w.repairDeferred(60_020)).toBe(false);
    w.observe('down', 40);
    expect(w.repairDeferred(41)).toBe(false); // only meaningful while up
  });
});
