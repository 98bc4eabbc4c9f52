// A ProbeManager running against a bench lab's host namespace, with every verdict recorded:
// what bench probe and bench transitive both measure detection and soaks with.
import type { IpmpConfig } from '../src/config/model.js';
import type { ProbeState } from '../src/control/status.js';
import { silentLogger } from '../src/log.js';
import { RtnlClient } from '../src/netlink/client.js';
import type { Link } from '../src/netlink/types.js';
import { ProbeManager } from '../src/probe/index.js';
import { nsPath } from './lib.js';

export interface Running {
  mgr: ProbeManager;
  state: Map<string, ProbeState>;
  events: { ifname: string; state: ProbeState; at: number }[];
}

export async function startManager(hostNs: string, config: IpmpConfig): Promise<Running> {
  const rtnl = RtnlClient.open({ netns: nsPath(hostNs) });
  try {
    const links = new Map<number, Link>((await rtnl.listLinks()).map((l) => [l.index, l]));
    const state = new Map<string, ProbeState>();
    const events: Running['events'] = [];
    const mgr = new ProbeManager({
      log: silentLogger,
      netns: nsPath(hostNs),
      onVerdict: (ifname, v) => {
        state.set(ifname, v.state);
        events.push({ ifname, state: v.state, at: performance.now() });
      },
    });
    mgr.configure(config, links);
    mgr.updateAddresses(await rtnl.listAddresses());
    mgr.updateRoutes(await rtnl.listRoutes());
    return { mgr, state, events };
  } finally {
    rtnl.close();
  }
}

/** Polls every 2 ms; throws naming the bench and what it waited for. */
export async function until(bench: string, cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`bench ${bench}: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
