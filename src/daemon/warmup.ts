// Keeps the failover path compiled. A failover is a rare event, so without help it runs as
// cold, interpreted code — several times slower than the same code once V8 has optimised it.
// This rehearses failures and repairs of every member on a scratch engine through the
// writer's own pure steps (intent, prepareAddressRun, request encoding, frame building), with
// no I/O. The daemon runs it before READY and again at every invariant check, so idle
// bytecode flushing cannot make the path cold again.
import { prepareAddressRun, toOp } from '../apply/writer.js';
import { planRouteChanges } from '../apply/kernel-diff.js';
import { intentFromPlacement } from '../apply/from-placement.js';
import { DEFAULT_ANNOUNCE, type IpmpConfig } from '../config/model.js';
import { Engine } from '../engine/engine.js';
import { batchRequest } from '../netlink/client.js';
import { encodeNlMsg } from '../netlink/nlmsg.js';
import type { Address, Link } from '../netlink/types.js';
import { buildGratuitousArp } from '../packet/arp.js';
import { buildUnsolicitedNa } from '../packet/ndisc.js';
import type { Logger } from '../log.js';

const none: ReadonlySet<string> = new Set();

/** Rehearses `rounds` failure/repair cycles of every member; returns the number of changes planned. */
export function rehearseFailovers(config: IpmpConfig, links: Link[], addresses: Address[], rounds: number): number {
  const engine = new Engine(config, 0);
  const members = config.groups.flatMap((g) => g.interfaces.map((i) => i.name));
  const announceFor = (group: string) => config.groups.find((g) => g.name === group)?.announce ?? DEFAULT_ANNOUNCE;
  let t = 0;
  for (const m of members) engine.handle({ type: 'probe', ifname: m, state: 'disabled' }, t);
  for (const m of members) engine.handle({ type: 'link', ifname: m, up: true }, t);
  let planned = 0;
  for (let r = 0; r < rounds; r++) {
    for (const m of members) {
      for (const up of [false, true]) {
        t += 61_000; // past flap damping's one-minute window
        const res = engine.handle({ type: 'link', ifname: m, up }, t);
        const intent = intentFromPlacement(res.placement, config);
        const run = prepareAddressRun(intent, { links, addresses, routes: [] }, none, announceFor, none, none);
        for (const c of [...run.adds, ...run.deletes]) {
          const req = batchRequest(toOp(c));
          encodeNlMsg(req.type, req.flags, 1, req.payload);
        }
        for (const a of run.announcements) {
          if (a.family === 4) buildGratuitousArp(a.mac, a.address);
          else buildUnsolicitedNa(a.mac, a.address);
        }
        planned += run.adds.length + run.deletes.length + planRouteChanges(intent, { links, addresses: [], routes: [] }).length;
      }
    }
  }
  return planned;
}

/** The daemon's call: a rehearsal that never throws (a failure is logged); returns how long it took in ms. */
export function rehearse(config: IpmpConfig, links: Link[], addresses: Address[], rounds: number, log: Logger): number {
  const started = performance.now();
  try {
    rehearseFailovers(config, links, addresses, rounds);
  } catch (err) {
    log.error({ err }, 'failover rehearsal failed');
  }
  return performance.now() - started;
}
