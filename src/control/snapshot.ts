// ipmpstat data (-g, -i, -a, and placeholder -t rows) derived from a placement. Probe targets
// belong to the probe detector (issue 6); until it exists each member gets 'disabled' rows.

import type { IpmpConfig } from '../config/model.js';
import type { AddressStatus, GroupStatus, InterfaceStatus, StatusSnapshot, TargetStatus } from './status.js';
import { mustParse } from '../net/addr.js';
import type { Placement } from '../engine/types.js';

export function buildSnapshot(placement: Placement, config: IpmpConfig): StatusSnapshot {
  const groups: GroupStatus[] = [];
  const interfaces: InterfaceStatus[] = [];
  const addresses: AddressStatus[] = [];
  const targets: TargetStatus[] = [];

  for (const g of placement.groups) {
    const probing = g.members.some((m) => m.probe !== 'disabled');
    // The anonymous group is no IPMP group: its members show in -i (GROUP empty), not in -g.
    if (!g.anonymous) groups.push({
      group: g.group,
      groupname: g.group,
      state: g.state,
      fdtMs: probing ? config.mpathd.failureDetectionTime : null,
      active: g.members.filter((m) => m.active).map((m) => m.ifname),
      inactive: g.members.filter((m) => !m.active && m.state !== 'failed' && m.state !== 'offline' && m.inactive).map((m) => m.ifname),
      unusable: g.members.filter((m) => m.failed || m.offline || (!m.active && !m.inactive)).map((m) => m.ifname),
    });
    const outbound = g.members.filter((m) => m.active).map((m) => m.ifname);
    for (const m of g.members) {
      interfaces.push({
        interface: m.ifname,
        active: m.active,
        group: g.group,
        flags: {
          inactive: m.inactive,
          standby: m.standby,
          mcast4: m.nominee4,
          bcast4: m.nominee4,
          mcast6: m.nominee6,
          // Solaris: if_mpadm -d takes the NIC's addresses down (ipmpstat -i FLAGS ----d--);
          // in.mpathd's own offline of a duplicate hardware address leaves them up (------h).
          down: !m.present || m.adminOffline,
          hwaddrdup: m.hwaddrdup,
        },
        link: m.link,
        probe: m.probe,
        state: m.state,
      });
      const families = [...new Set(m.testAddresses.map((t) => t.family))];
      if (families.length === 0) {
        targets.push({ interface: m.ifname, family: 4, mode: 'disabled', testAddress: null, targets: [] });
      }
      for (const family of families) {
        const t = m.testAddresses.find((x) => x.family === family);
        targets.push({
          interface: m.ifname,
          family,
          mode: 'disabled',
          testAddress: t ? mustParse(t.address).address : null,
          targets: [],
        });
      }
    }
    for (const a of g.addresses) {
      const p = mustParse(a.address);
      addresses.push({
        address: p.address,
        prefixLen: p.prefixLen,
        state: a.up ? 'up' : 'down',
        group: g.group,
        inbound: a.bound ? a.nic : null,
        outbound: a.bound ? outbound : [],
      });
    }
  }
  return { groups, interfaces, addresses, targets };
}
