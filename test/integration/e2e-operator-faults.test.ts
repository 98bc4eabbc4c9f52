// The operator's bad day, one reproduction per case: a member renamed, a group failure that
// ends while announcements were lost, a hand-added duplicate, a mistyped member name, and
// addresses dropped from the configuration. After each fault the invariant holds: every data
// address on exactly one usable member, routes with a source that exists, a client reaching it.
import { afterEach, describe, expect, it } from 'vitest';
import { addressesByNic, holder, macOf, neighbourMac, ping } from '../helpers/host-state.js';
import { ip, ipJson, nsExec, requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { CLIENT4 } from '../helpers/topology.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const threeNics = (data: string[] = ['192.0.2.100/24 eth0', '192.0.2.101/24 eth1'], members = ['eth0', 'eth1', 'eth2'], extra = ''): string => `
defaultRouters: [192.0.2.254]
mpathd: { failureDetectionTime: 1000 }
groups:
  - name: g
    announce: { arpCount: 2, arpIntervalMs: 200 }
${extra}
    interfaces:
${members.map((m, i) => `      - { name: ${m}, testAddresses: [192.0.2.${10 + i}/24] }`).join('\n')}
    dataAddresses:
${data.map((d) => `      - { address: ${d.split(' ')[0]}, interface: ${d.split(' ')[1]} }`).join('\n')}
`;

/** What an operator types to rename a NIC: it must be down for the rename. */
function rename(ns: string, from: string, to: string): void {
  ip(ns, 'link', 'set', from, 'down');
  ip(ns, 'link', 'set', from, 'name', to);
  ip(ns, 'link', 'set', to, 'up');
}

interface IpRoute { dst: string; prefsrc?: string; protocol?: string | number }

/** Fresh-dump invariant: each data address on exactly one NIC, that NIC usable; ipmpd's routes have a source that exists. */
function invariantViolations(ns: string, data: string[], usable: string[]): string[] {
  const v: string[] = [];
  const where = addressesByNic(ns);
  for (const a of data) {
    const nics = where.get(a) ?? [];
    if (nics.length !== 1) v.push(`${a} on [${nics.join(',')}]`);
    else if (!usable.includes(nics[0] ?? '')) v.push(`${a} on unusable ${nics[0]}`);
  }
  const routes = ipJson<IpRoute[]>(ns, '-4', 'route', 'show');
  const ours = routes.filter((r) => String(r.protocol) === '73' || r.protocol === 'ipmpd');
  for (const r of ours) if (r.prefsrc && !where.has(r.prefsrc)) v.push(`route ${r.dst} src ${r.prefsrc} does not exist`);
  for (const dst of ['default', '192.0.2.0/24']) if (!ours.some((r) => r.dst === dst)) v.push(`route ${dst} missing`);
  return v;
}

/** The client reaches an address (a few tries: the first may wait for ARP); the failure text otherwise. */
function reach(client: string, address: string): string {
  let last = '';
  for (let i = 0; i < 3; i++) {
    try { nsExec(client, 'ping', ['-n', '-q', '-c', '1', '-W', '1', address]); return 'ok'; } catch (err) { last = (err as Error).message; }
  }
  return last;
}

async function invariantHolds(s: Scenario, data: string[], usable: string[], timeoutMs = 5000): Promise<void> {
  let last: string[] = [];
  await until(() => (last = invariantViolations(s.t.host, data, usable)).length === 0, timeoutMs, 'invariant')
    .catch(() => { throw new Error(`invariant violated: ${last.join('; ')}; logs: ${s.d.logs.slice(-15).map((l) => l.msg).join(' | ')}`); });
  for (const a of data) expect(reach(s.t.client, a), `client reaches ${a}`).toBe('ok');
}

describe.runIf(enabled)('e2e: operator faults keep every data address on exactly one usable NIC', () => {
  let s: Scenario | undefined;
  afterEach(async () => { await s?.close(); s = undefined; });

  it('renaming a holder NIC moves its address to a member; the old name returning takes it back', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const h = s.t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    rename(h, 'eth1', 'foo');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth2']);
    await until(() => s!.d.logsMatching(/eth1 was renamed to foo/).length > 0, 3000, 'rename logged');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth2']);
    expect(addressesByNic(h).get('192.0.2.11') ?? []).toEqual([]);
    rename(h, 'foo', 'eth1');
    await until(() => holder(h, '192.0.2.101').join() === 'eth1', 8000, '.101 back home on eth1');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1', 'eth2']);
  });

  it('renaming the NIC holding the route source keeps both addresses reachable', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const h = s.t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    rename(h, 'eth0', 'bar');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth1', 'eth2']);
    expect(s.d.logsMatching(/cannot apply/).filter((l) => /prefsrc|src/i.test(JSON.stringify(l))).length).toBe(0);
  });

  it('group failure, then one member back: every address re-announced and reachable', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const { t } = s;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    t.cutCarrier(0); t.cutCarrier(1); t.cutCarrier(2);
    await s.d.waitFor(() => s!.d.logsMatching(/All Interfaces in group g have failed/).length > 0, 5000, () => 'group failure not logged');
    const mark = s.wire.seen.length;
    t.restoreCarrier(2);
    await s.d.waitFor(() => s!.d.logsMatching(/group g is now usable/).length > 0, 30000, () => 'repair not logged');
    const eth2 = macOf(t.host, 'eth2');
    // Both addresses are announced from eth2, whether they moved there now or sat there already.
    await until(() => ['192.0.2.100', '192.0.2.101'].every((a) => s!.wire.seen.slice(mark).some((f) => f.address === a && f.mac === eth2)), 3000, 'both announced from eth2');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth2']);
    for (const a of ['192.0.2.100', '192.0.2.101']) expect(neighbourMac(t.client, a)).toBe(eth2);
  });

  it('group failure, then the holder is renamed away: the address goes to a member that exists, and to a usable one after repair', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const { t } = s;
    const h = t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    t.cutCarrier(0); t.cutCarrier(1); t.cutCarrier(2);
    await s.d.waitFor(() => s!.d.logsMatching(/All Interfaces in group g have failed/).length > 0, 5000, () => 'group failure not logged');
    rename(h, 'eth0', 'tmp0');
    await until(() => s!.d.logsMatching(/eth0 was renamed to tmp0/).length > 0, 3000, 'rename logged');
    // Nothing is usable, but a copy on a NIC that left the group helps nobody: it goes to a member.
    await until(() => { const n = holder(h, '192.0.2.100'); return n.length === 1 && n[0] !== 'tmp0'; }, 3000, '.100 on a member');
    t.restoreCarrier(1); t.restoreCarrier(2);
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth1', 'eth2'], 30_000);
  });

  it('a duplicate added by hand on another member is removed', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const h = s.t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    ip(h, 'addr', 'add', '192.0.2.100/24', 'dev', 'eth1');
    // Long before the 20 s invariant check: the address-added notification triggers the repair.
    await until(() => holder(h, '192.0.2.100').join() === 'eth0', 2000, 'duplicate removed');
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
  });

  it('a mistyped member name is a warning and the previous run\'s copy is not left on another NIC', async () => {
    s = await startScenario({ nics: 3, config: threeNics() });
    const h = s.t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    await s.d.stop();
    // Restart (same socket directory, so the same state file) with eth0 mistyped: eht0, eth1, eth2.
    s.d.writeConfig(threeNics(['192.0.2.100/24 eht0', '192.0.2.101/24 eth1'], ['eht0', 'eth1', 'eth2']));
    const mark = s.d.logs.length;
    await s.d.start();
    // READY can arrive before the log lines written ahead of it are read from the pipe.
    await until(() => s!.d.logs.slice(mark).some((l) => l.level === 40 && /eht0/.test(l.msg)), 3000, 'warning for the missing member');
    await until(() => (addressesByNic(h).get('192.0.2.100') ?? []).length === 1 && holder(h, '192.0.2.100')[0] !== 'eth0', 3000, '.100 only on a member');
    const st = await s.d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,state', '-P']);
    expect(st.stdout).toMatch(/^eht0:missing$/m);
  });

  it('addresses dropped from the configuration are removed on reload and on restart; an empty configuration is refused', async () => {
    s = await startScenario({ nics: 3, config: threeNics(['192.0.2.100/24 eth0', '192.0.2.101/24 eth1', '192.0.2.102/24 eth2']) });
    const h = s.t.host;
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101', '192.0.2.102'], ['eth0', 'eth1', 'eth2']);
    s.d.writeConfig(threeNics(['192.0.2.100/24 eth0', '192.0.2.101/24 eth1']));
    await s.d.signal('SIGHUP');
    await until(() => holder(h, '192.0.2.102').length === 0, 15_000, '.102 removed on reload');
    expect(s.d.logsMatching(/192\.0\.2\.102/).length).toBeGreaterThan(0);
    await invariantHolds(s, ['192.0.2.100', '192.0.2.101'], ['eth0', 'eth1']);
    // Dropped while the daemon is down: removed at the next start.
    await s.d.stop();
    s.d.writeConfig(threeNics(['192.0.2.100/24 eth0']));
    await s.d.start();
    await until(() => holder(h, '192.0.2.101').length === 0, 3000, '.101 removed at start');
    await invariantHolds(s, ['192.0.2.100'], ['eth0']);
    // An empty file is not a configuration: refused, routes and addresses untouched.
    s.d.writeConfig('');
    await s.d.signal('SIGHUP');
    await until(() => s!.d.logsMatching(/reload refused/).length > 0, 15_000, 'empty configuration refused');
    await invariantHolds(s, ['192.0.2.100'], ['eth0']);
    expect(ping(s.t.client, '192.0.2.100')).toBe(true);
    void CLIENT4;
  });

  it('another host claiming a data address: error log with address, NIC and MAC, ipmpstat duplicate, defended once', async () => {
    s = await startScenario({ nics: 2, config: threeNics(['192.0.2.100/24 eth0'], ['eth0', 'eth1']) });
    const { t } = s;
    await invariantHolds(s, ['192.0.2.100'], ['eth0', 'eth1']);
    const intruder = t.lab.ns('intr');
    t.lab.veth(intruder, 'eth0', t.sw, 'sw-i');
    ip(t.sw, 'link', 'set', 'sw-i', 'master', 'br0', 'up');
    ip(intruder, 'link', 'set', 'eth0', 'address', '02:00:5e:00:99:01', 'up');
    ip(intruder, 'addr', 'add', '192.0.2.100/24', 'dev', 'eth0', 'nodad');
    const eth0 = macOf(t.host, 'eth0');
    const claim = (): void => { try { nsExec(intruder, 'arping', ['-U', '-c', '1', '-i', 'eth0', '192.0.2.100']); } catch { /* exits 1 when nobody answers */ } };
    const mark = s.wire.seen.length;
    claim();
    await until(() => s!.d.logsMatching(/duplicate data address 192\.0\.2\.100 detected on eth\d: claimed by 02:00:5e:00:99:01; defending once from eth0/).length > 0, 5000, 'conflict logged');
    // The defence: one gratuitous ARP from eth0, the holder.
    await until(() => s!.wire.seen.slice(mark).some((f) => f.address === '192.0.2.100' && f.mac === eth0), 3000, 'defending GARP');
    const st = await s.d.cli('ipmpstat', ['-a', '-n', '-o', 'address,state', '-P']);
    expect(st.stdout).toMatch(/^192\.0\.2\.100:duplicate$/m);
    // A second claim is logged but not fought: no further frame from eth0 for it.
    const defended = s.wire.seen.filter((f) => f.address === '192.0.2.100' && f.mac === eth0).length;
    ip(intruder, 'link', 'set', 'eth0', 'address', '02:00:5e:00:99:02');
    claim();
    await until(() => s!.d.logsMatching(/claimed by 02:00:5e:00:99:02; defending once/).length > 0, 5000, 'second claimer defended once');
    ip(intruder, 'link', 'set', 'eth0', 'address', '02:00:5e:00:99:01');
    claim();
    // The rate limiter lets the same claimer through again only after its hold-down; a claim
    // from it that is reported must say it is not fought.
    await until(() => s!.wire.seen.filter((f) => f.address === '192.0.2.100' && f.mac === eth0).length >= defended + 1, 3000, 'second defence frame');
    expect(s.d.logsMatching(/defending once from eth0/).length).toBe(2);
    expect(holder(t.host, '192.0.2.100')).toEqual(['eth0']);
  });
});
