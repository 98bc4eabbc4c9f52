// Turns the engine's runtime records into the plain Placement data handed to the apply layer.

import type { InterfaceState, LinkState, ProbeState } from './states.js';
import { mustParse } from '../net/addr.js';
import type { LinkObservation } from './link-watch.js';
import { isActive, type MemberRecord } from './roles.js';
import type { GroupRuntime } from './runtime.js';
import type { GroupPlacement, MemberPlacement } from './types.js';

export function groupPlacement(g: GroupRuntime, link: (ifname: string) => LinkObservation, probeOf: (m: MemberRecord) => ProbeState): GroupPlacement {
  const anyActive = g.members.some(isActive);
  return {
    group: g.config.name,
    ...(g.anonymous ? { anonymous: true as const } : {}),
    mode: g.config.mode,
    state: g.state,
    members: g.members.map((m) => memberPlacement(g, m, link, probeOf)),
    addresses: g.config.dataAddresses.map((a) => {
      const nic = g.nic.get(a.address) ?? null;
      return {
        address: a.address,
        family: mustParse(a.address).family,
        home: a.interface,
        nic,
        bound: a.up && nic !== null && anyActive,
        up: a.up,
        deprecated: a.deprecated,
      };
    }),
    routes: g.routes.map((r) => ({ ...r, nexthops: r.nexthops.map((h) => ({ ...h })) })),
  };
}

function memberPlacement(g: GroupRuntime, m: MemberRecord, link: (ifname: string) => LinkObservation, probeOf: (m: MemberRecord) => ProbeState): MemberPlacement {
  const w = link(m.name);
  const probe = probeOf(m);
  const linkState: LinkState = w === 'up' ? 'up' : w === 'unknown' ? 'unknown' : 'down';
  let state: InterfaceState;
  if (w === 'missing') state = 'missing';
  else if (m.phase === 'offline') state = 'offline';
  else if (m.phase === 'failed') state = 'failed';
  else if (m.phase === 'init' || probe === 'unknown') state = 'unknown';
  else state = 'ok';
  return {
    ifname: m.name,
    active: isActive(m),
    inactive: m.inactive,
    failed: m.phase === 'failed',
    offline: m.phase === 'offline',
    hwaddrdup: m.hwaddrdup,
    adminOffline: m.phase === 'offline' && m.adminOffline,
    standby: m.standby,
    link: linkState,
    // ipmpstat shows a failed prober as PROBE failed whatever the detector last said.
    probe: m.phase === 'offline' ? 'disabled' : probe !== 'disabled' && m.phase === 'failed' ? 'failed' : probe,
    state,
    nominee4: g.nominee.get(4) === m.name,
    nominee6: g.nominee.get(6) === m.name,
    present: w !== 'missing',
    testAddresses: m.testAddresses.map((address) => ({ address, family: mustParse(address).family })),
  };
}
