// Properties over random configurations and random event sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IpmpConfig } from '../../../src/config/model.js';
import { Engine, type EngineEvent, type EngineResult, type Placement } from '../../../src/engine/index.js';
import { config } from './helpers.js';

const NAMES = ['eth0', 'eth1', 'eth2', 'eth3'];

const configArb = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    standby: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    probing: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    failback: fc.boolean(),
    data: fc.array(fc.record({ home: fc.integer({ min: 0, max: 4 }), up: fc.boolean(), v6: fc.boolean(), dep: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ n, standby, probing, failback, data }): IpmpConfig =>
    config({
      failback,
      routers: ['192.0.2.1', '2001:db8::1'],
      groups: [{
        name: 'g',
        members: NAMES.slice(0, n).map((name, i) => ({
          name,
          standby: standby[i] ?? false,
          test: probing[i] ? [`198.51.100.${10 + i}/24`] : [],
        })),
        data: data.map((d, i) => [
          d.v6 ? `2001:db8::${i + 10}/64` : `192.0.2.${i + 10}/24`,
          // home index 4 = a NIC that is not a member (config mistake the engine must survive)
          NAMES[d.home] ?? 'eth9',
          { up: d.up || i === 0, deprecated: d.dep },
        ]),
      }],
    }),
  );

const eventArb: fc.Arbitrary<[number, EngineEvent | 'tick']> = fc.tuple(
  fc.integer({ min: 0, max: 40_000 }),
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ type: fc.constant('link' as const), ifname: fc.constantFrom(...NAMES), up: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('link-missing' as const), ifname: fc.constantFrom(...NAMES) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('probe' as const), ifname: fc.constantFrom(...NAMES), state: fc.constantFrom('ok' as const, 'failed' as const, 'unknown' as const) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('offline' as const, 'undo-offline' as const), ifname: fc.constantFrom(...NAMES, 'eth9') }) },
    { weight: 1, arbitrary: fc.constant('tick' as const) },
  ),
);

function replay(cfg: IpmpConfig, events: [number, EngineEvent | 'tick'][], check?: (r: EngineResult, prev: Placement, ev: EngineEvent | 'tick') => void): EngineResult[] {
  const e = new Engine(cfg, 0);
  let now = 0;
  let prev = e.placement();
  const results: EngineResult[] = [];
  for (const [dt, ev] of events) {
    now += dt;
    const r = ev === 'tick' ? e.tick(now) : e.handle(ev, now);
    check?.(r, prev, ev);
    const deadline = e.nextDeadline();
    if (deadline !== undefined) expect(deadline).toBeGreaterThan(now);
    prev = r.placement;
    results.push(r);
  }
  return results;
}

describe('engine properties', () => {
  it('placement invariants hold after every event', () => {
    fc.assert(
      fc.property(configArb, fc.array(eventArb, { maxLength: 40 }), (cfg, events) => {
        const gc = cfg.groups[0]!;
        const tests = new Set(gc.interfaces.flatMap((i) => i.testAddresses.map((t) => t.split('/')[0])));
        replay(cfg, events, (r, prev) => {
          const g = r.placement.groups[0]!;
          const active = new Set(g.members.filter((m) => m.active).map((m) => m.ifname));
          const initialised = g.members.every((m) => m.link !== 'unknown');
          // Every up address is on exactly one active member whenever one exists.
          if (active.size > 0) {
            for (const a of g.addresses) {
              if (a.up) {
                expect(a.nic !== null && active.has(a.nic)).toBe(true);
                expect(a.bound).toBe(true);
              }
            }
          }
          // Down addresses are never placed.
          for (const a of g.addresses) if (!a.up) expect(a.nic).toBeNull();
          // A group with a functioning member has an active member.
          if (initialised && g.members.some((m) => !m.failed && !m.offline && m.link !== 'unknown')) {
            expect(active.size).toBeGreaterThan(0);
          }
          // Group state agrees with members.
          if (initialised) expect(g.state === 'failed').toBe(active.size === 0);
          // Group failure: nothing moves — except off a NIC that no longer exists, or whose link
          // is down while another member's is up, to a member that exists (link up first).
          if (active.size === 0) {
            const before = new Map(prev.groups[0]!.addresses.map((a) => [a.address, a.nic]));
            const present = new Set(g.members.filter((m) => m.present).map((m) => m.ifname));
            const up = new Set(g.members.filter((m) => m.present && m.link === 'up').map((m) => m.ifname));
            for (const a of g.addresses) {
              const was = before.get(a.address);
              if (was === null || was === undefined) continue;
              const stranded = !present.has(was) || (!up.has(was) && up.size > 0);
              if (!stranded || present.size === 0) expect(a.nic).toBe(was);
              else expect((up.size > 0 ? up : present).has(a.nic ?? '')).toBe(true);
            }
            for (const a of g.addresses) expect(a.bound).toBe(false);
          }
          // Test addresses are fixed to their own member.
          for (const m of g.members) {
            expect(m.testAddresses.map((t) => t.address)).toEqual(gc.interfaces.find((i) => i.name === m.ifname)?.testAddresses);
          }
          // Routes: prefsrc is an up data address, never a test address; spread nexthops are active.
          const upData = new Set(g.addresses.filter((a) => a.up).map((a) => a.address.split('/')[0]));
          for (const route of g.routes) {
            if (route.prefsrc !== undefined) {
              expect(tests.has(route.prefsrc)).toBe(false);
              expect(upData.has(route.prefsrc)).toBe(true);
            }
            if (active.size > 0 && route.purpose !== 'test-subnet') {
              for (const nh of route.nexthops) expect(active.has(nh.ifname)).toBe(true);
            }
          }
          // A refused if_mpadm request changes nothing.
          if (r.reply && !r.reply.ok) expect(r.changes).toEqual([]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same events give the same results', () => {
    fc.assert(
      fc.property(configArb, fc.array(eventArb, { maxLength: 30 }), (cfg, events) => {
        expect(replay(cfg, events)).toEqual(replay(cfg, events));
      }),
      { numRuns: 100 },
    );
  });

  it('changes replayed onto the previous placement give the new placement', () => {
    fc.assert(
      fc.property(configArb, fc.array(eventArb, { maxLength: 30 }), (cfg, events) => {
        replay(cfg, events, (r, prev) => {
          const nic = new Map(prev.groups[0]!.addresses.map((a) => [a.address, a.nic]));
          for (const c of r.changes) {
            if (c.kind === 'address-moved') {
              expect(nic.get(c.address)).toBe(c.from);
              nic.set(c.address, c.to);
            } else if (c.kind === 'address-placed') {
              expect(nic.get(c.address)).toBeNull();
              nic.set(c.address, c.to);
            } else if (c.kind === 'address-unplaced') {
              nic.set(c.address, null);
            }
          }
          expect(Object.fromEntries(nic)).toEqual(Object.fromEntries(r.placement.groups[0]!.addresses.map((a) => [a.address, a.nic])));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a clone behaves exactly like the original and never affects it', () => {
    fc.assert(
      fc.property(configArb, fc.array(eventArb, { maxLength: 30 }), fc.array(eventArb, { maxLength: 10 }), (cfg, prefix, suffix) => {
        const e = new Engine(cfg, 0);
        let now = 0;
        const step = (eng: Engine, [dt, ev]: [number, EngineEvent | 'tick'], at: number): EngineResult => (ev === 'tick' ? eng.tick(at + dt) : eng.handle(ev, at + dt));
        for (const x of prefix) { step(e, x, now); now += x[0]; }
        const before = JSON.stringify(e.placement());
        const copy = e.clone();
        // The clone runs ahead on its own...
        let t = now;
        const fromClone = suffix.map((x) => { const r = step(copy, x, t); t += x[0]; return JSON.stringify(r.placement); });
        expect(JSON.stringify(e.placement())).toBe(before);
        // ...and the original, given the same events, ends up in the same places.
        t = now;
        const fromOriginal = suffix.map((x) => { const r = step(e, x, t); t += x[0]; return JSON.stringify(r.placement); });
        expect(fromOriginal).toEqual(fromClone);
      }),
      { numRuns: 300 },
    );
  });
});
