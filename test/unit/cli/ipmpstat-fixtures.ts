// Hand-made snapshots shaped after the Oracle Solaris 11 IPMP documentation examples.
import type { InterfaceFlags, ProbeRecord, StatusSnapshot } from '../../../src/control/status.js';

const noFlags: InterfaceFlags = { inactive: false, standby: false, mcast4: false, bcast4: false, mcast6: false, down: false, hwaddrdup: false };
export const flags = (f: Partial<InterfaceFlags>): InterfaceFlags => ({ ...noFlags, ...f });

export const ORACLE: StatusSnapshot = {
  groups: [
    { group: 'ipmp0', groupname: 'ipmp0', state: 'ok', fdtMs: 10_000, active: ['net0', 'net1'], inactive: [], unusable: [] },
    { group: 'acctg1', groupname: 'acctg1', state: 'failed', fdtMs: null, active: [], inactive: [], unusable: ['net3', 'net4'] },
    { group: 'field2', groupname: 'field2', state: 'degraded', fdtMs: 20_000, active: ['net2', 'net5'], inactive: ['net7'], unusable: ['net6'] },
  ],
  interfaces: [
    { interface: 'net0', active: true, group: 'ipmp0', flags: flags({ mcast4: true, bcast4: true, mcast6: true }), link: 'up', probe: 'ok', state: 'ok' },
    { interface: 'net1', active: true, group: 'ipmp0', flags: flags({}), link: 'up', probe: 'ok', state: 'ok' },
    { interface: 'net3', active: false, group: 'acctg1', flags: flags({}), link: 'down', probe: 'unknown', state: 'failed' },
    { interface: 'net4', active: false, group: 'acctg1', flags: flags({ inactive: true, standby: true }), link: 'up', probe: 'failed', state: 'failed' },
    { interface: 'net7', active: false, group: 'field2', flags: flags({ inactive: true, standby: true, down: true }), link: 'up', probe: 'disabled', state: 'offline' },
  ],
  addresses: [
    { address: '192.168.10.10', prefixLen: 24, state: 'up', group: 'ipmp0', inbound: 'net0', outbound: ['net0', 'net1'] },
    { address: '192.168.10.15', prefixLen: 24, state: 'up', group: 'ipmp0', inbound: 'net1', outbound: ['net0', 'net1'] },
    { address: '192.0.0.100', prefixLen: 24, state: 'up', group: 'acctg1', inbound: null, outbound: [] },
    // A down address keeps no outbound set even if the daemon lists one (Solaris rule).
    { address: '128.0.0.102', prefixLen: 16, state: 'down', group: 'field2', inbound: null, outbound: ['net2', 'net5'] },
  ],
  targets: [
    { interface: 'net0', family: 4, mode: 'routes', testAddress: '192.168.85.30', targets: ['192.168.85.1', '192.168.85.3'] },
    { interface: 'net0', family: 6, mode: 'disabled', testAddress: null, targets: [] },
    { interface: 'net1', family: 4, mode: 'disabled', testAddress: '192.168.85.31', targets: [] },
    { interface: 'net3', family: 4, mode: 'multicast', testAddress: '128.9.0.200', targets: ['128.0.0.1', '128.0.0.2'] },
    { interface: 'net4', family: 4, mode: 'disabled', testAddress: null, targets: [] },
    { interface: 'net4', family: 6, mode: 'multicast', testAddress: 'fe80::214:4fff:fe4b:1', targets: ['fe80::1', 'fe80::2'] },
    // net7 has no target entries at all: it still gets a `disabled` row.
  ],
};

export const START_MS = 1_700_000_000_000;

export const PROBES: ProbeRecord[] = [
  { sentAtMs: START_MS + 110, interface: 'net0', probe: 589, netRttMs: 0.51, rttMs: 0.76, rttAvgMs: 0.76, rttDevMs: 0.02, target: '192.168.85.1', outcome: 'acked' },
  { sentAtMs: START_MS + 170, interface: 'net1', probe: 612, netRttMs: null, rttMs: null, rttAvgMs: null, rttDevMs: null, target: '192.168.85.1', outcome: 'lost' },
  // Sent before ipmpstat started: TIME goes negative, as Solaris allows.
  { sentAtMs: START_MS - 250, interface: 'net0', probe: 588, netRttMs: 12.345, rttMs: 13.5, rttAvgMs: 0, rttDevMs: 0, target: '192.168.85.3', outcome: 'acked' },
];
