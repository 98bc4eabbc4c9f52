// The exposition: counters fed by the service, gauges and probe RTTs read at scrape time,
// checked in the text format prom-client writes (and Prometheus parses).
import { describe, expect, it } from 'vitest';
import type { ApplyReport } from '../../../src/apply/writer.js';
import type { ProbeRecord, StatusSnapshot } from '../../../src/control/status.js';
import type { EngineResult, MemberPlacement, Placement } from '../../../src/engine/types.js';
import { MetricsService } from '../../../src/metrics/service.js';
import { silentLogger } from '../../../src/log.js';

const FLAGS = { inactive: false, standby: false, mcast4: false, bcast4: false, mcast6: false, down: false, hwaddrdup: false };

function snapshot(members: string[]): StatusSnapshot {
  return {
    groups: [{ group: 'g', groupname: 'g', state: 'ok', fdtMs: null, active: members, inactive: [], unusable: [] }],
    interfaces: members.map((i) => ({ interface: i, active: true, group: 'g', link: 'up', probe: 'disabled', state: 'ok', flags: FLAGS })),
    addresses: [], targets: [],
  };
}

const member = (ifname: string, o: Partial<MemberPlacement> = {}): MemberPlacement => ({
  ifname, active: true, inactive: false, failed: false, offline: false, hwaddrdup: false, adminOffline: false, standby: false, link: 'up', probe: 'ok',
  state: 'ok', nominee4: false, nominee6: false, present: true, testAddresses: [], ...o,
});
const place = (eth0: Partial<MemberPlacement>, nic: string): Placement => ({
  groups: [{ group: 'g', mode: 'outbound-spread', state: 'ok', routes: [], members: [member('eth0', eth0), member('eth1')],
    addresses: [{ address: '192.0.2.100/24', family: 4, home: 'eth0', nic, bound: true, up: true, deprecated: false }] }],
});
const result = (p: Placement, moved?: [string, string]): EngineResult => ({
  placement: p, log: [], probeResets: [],
  changes: moved ? [{ kind: 'address-moved', group: 'g', address: '192.0.2.100/24', from: moved[0], to: moved[1] }] : [],
});
const report = (o: Partial<ApplyReport> = {}): ApplyReport => ({ changes: [], failures: [], announced: [], durationMs: 2.5, ...o });

function setup(): { svc: MetricsService; state: { members: string[]; probes: ProbeRecord[] } } {
  const state = { members: ['eth0', 'eth1'], probes: [] as ProbeRecord[] };
  const svc = new MetricsService({ status: () => snapshot(state.members), probesSince: () => state.probes.splice(0) }, silentLogger);
  return { svc, state };
}

describe('DaemonMetrics exposition', () => {
  it('counts a failover with its reason and duration, and the announcements', async () => {
    const { svc } = setup();
    svc.stepped(result(place({}, 'eth0')), report({ announced: ['192.0.2.100'] }));
    svc.stepped(result(place({ active: false, link: 'down', state: 'failed' }, 'eth1'), ['eth0', 'eth1']), report({ announced: ['192.0.2.100'], durationMs: 4 }));
    svc.fired(1);
    // Link back, probes not yet re-earned (failed): the failback still says link.
    svc.stepped(result(place({ active: false, failed: true, probe: 'failed', state: 'failed' }, 'eth1')), report());
    svc.stepped(result(place({}, 'eth0'), ['eth1', 'eth0']), report());
    const text = await svc.expose();
    expect(text).toContain('ipmpd_failovers_total{group="g",reason="link"} 1');
    expect(text).toContain('ipmpd_last_failover_duration_seconds{group="g"} 0.004');
    expect(text).toContain('ipmpd_announcements_total 3');
    expect(text).toContain('ipmpd_failbacks_total{group="g",reason="link"} 1');
    expect(text).not.toContain('reason="probe"');
  });

  it('counts repairs only for reconcile runs that changed something, by cause', async () => {
    const { svc } = setup();
    svc.reconciled('invariant check', report());
    svc.reconciled('address 192.0.2.100 removed from eth0', report({ changes: ['address add 192.0.2.100/24 dev eth0'] }));
    svc.resynced();
    svc.reloaded(false);
    await new Promise((r) => setImmediate(r));
    const text = await svc.expose();
    expect(text).toContain('ipmpd_reconcile_repairs_total{cause="address"} 1');
    expect(text).not.toContain('cause="invariant-check"');
    expect(text).toContain('ipmpd_netlink_resyncs_total 1');
    expect(text).toContain('ipmpd_config_reloads_total{result="refused"} 1');
    expect(text).toContain('ipmpd_config_reloads_total{result="ok"} 0');
  });

  it('a run shared by an engine step and a reconcile is no repair, and its announcements count once', async () => {
    const { svc } = setup();
    const shared = report({ changes: ['address add 192.0.2.100/24 dev eth1'], announced: ['192.0.2.100'] });
    svc.reconciled('ipmpd route removed', shared);
    svc.stepped(result(place({}, 'eth0')), shared);
    await new Promise((r) => setImmediate(r));
    const text = await svc.expose();
    expect(text).not.toContain('ipmpd_reconcile_repairs_total{');
    expect(text).toContain('ipmpd_announcements_total 1');
  });

  it('computes state gauges at scrape time; a member removed by a reload disappears', async () => {
    const { svc, state } = setup();
    expect(await svc.expose()).toContain('ipmpd_interface_state{group="g",interface="eth1",state="ok"} 1');
    state.members = ['eth0'];
    const text = await svc.expose();
    expect(text).toContain('ipmpd_group_state{group="g",state="ok"} 1');
    expect(text).toContain('ipmpd_interface_link_state{group="g",interface="eth0",state="up"} 1');
    expect(text).not.toContain('interface="eth1"');
  });

  it('reads each probe record once into the RTT histogram and the probe counter', async () => {
    const { svc, state } = setup();
    const rec = { sentAtMs: 0, interface: 'eth0', probe: 1, netRttMs: 0.3, rttMs: 0.5, rttAvgMs: null, rttDevMs: null, target: '192.0.2.254' };
    state.probes = [{ ...rec, outcome: 'acked' }, { ...rec, netRttMs: null, rttMs: null, outcome: 'lost' }];
    await svc.expose();
    const text = await svc.expose();
    expect(text).toContain('ipmpd_probe_rtt_seconds_bucket{le="0.0005",interface="eth0"} 1');
    expect(text).toContain('ipmpd_probe_rtt_seconds_count{interface="eth0"} 1');
    expect(text).toContain('ipmpd_probes_total{interface="eth0",outcome="lost"} 1');
  });
});
