// The standard IPMP lab: a host with N NICs, a switch (bridge), a router/target and a
// client, all in their own namespaces, documentation addresses only.
//
//   host:eth0 ── sw-h0 ┐
//   host:eth1 ── sw-h1 ├─ br0 (switch) ── sw-r ── router:eth0 192.0.2.254, 2001:db8::254
//   ...                │               └─ sw-c ── client:eth0 192.0.2.50, 2001:db8::50
import { Lab, ip } from './netns.js';

export interface Topology {
  lab: Lab;
  host: string;
  sw: string;
  router: string;
  client: string;
  nics: string[];
  /** Switch-side port of host NIC i. */
  port(i: number): string;
  /** Carrier loss on host NIC i (its switch-side veth goes down). */
  cutCarrier(i: number): void;
  restoreCarrier(i: number): void;
  /** Silent black hole: NIC i keeps carrier but its port leaves the bridge. */
  detach(i: number): void;
  attach(i: number): void;
  destroy(): void;
}

export const ROUTER4 = '192.0.2.254';
export const ROUTER6 = '2001:db8::254';
export const CLIENT4 = '192.0.2.50';
export const CLIENT6 = '2001:db8::50';

export function buildTopology(nicCount = 2): Topology {
  const lab = new Lab();
  try {
    const host = lab.ns('host');
    const sw = lab.ns('sw');
    const router = lab.ns('rtr');
    const client = lab.ns('cli');
    ip(sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    // No multicast snooping surprises and no learning delay in tests.
    ip(sw, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    ip(sw, 'link', 'set', 'br0', 'up');
    const nics: string[] = [];
    for (let i = 0; i < nicCount; i++) {
      lab.veth(host, `eth${i}`, sw, `sw-h${i}`);
      ip(sw, 'link', 'set', `sw-h${i}`, 'master', 'br0', 'up');
      nics.push(`eth${i}`);
    }
    for (const [ns, port, v4, v6] of [[router, 'sw-r', ROUTER4, ROUTER6], [client, 'sw-c', CLIENT4, CLIENT6]] as const) {
      lab.veth(ns, 'eth0', sw, port);
      ip(sw, 'link', 'set', port, 'master', 'br0', 'up');
      ip(ns, 'addr', 'add', `${v4}/24`, 'dev', 'eth0');
      ip(ns, 'addr', 'add', `${v6}/64`, 'dev', 'eth0', 'nodad');
      ip(ns, 'link', 'set', 'eth0', 'up');
    }
    ip(router, 'addr', 'add', '198.51.100.1/24', 'dev', 'lo');
    ip(client, 'route', 'add', 'default', 'via', ROUTER4);
    const t: Topology = {
      lab, host, sw, router, client, nics,
      port: (i) => `sw-h${i}`,
      cutCarrier: (i) => { ip(sw, 'link', 'set', `sw-h${i}`, 'down'); },
      restoreCarrier: (i) => { ip(sw, 'link', 'set', `sw-h${i}`, 'up'); },
      detach: (i) => { ip(sw, 'link', 'set', `sw-h${i}`, 'nomaster'); },
      attach: (i) => { ip(sw, 'link', 'set', `sw-h${i}`, 'master', 'br0'); },
      destroy: () => lab.destroy(),
    };
    return t;
  } catch (err) {
    lab.destroy();
    throw err;
  }
}
