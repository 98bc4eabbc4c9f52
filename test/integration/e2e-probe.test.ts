// Probe-based detection through the daemon: a silent black hole (carrier stays up) fails
// over within FDT, reattachment repairs after answered probes, and the status tools show it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf, neighbourMac, ping } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const FDT = 700;

describe.runIf(enabled)('e2e: probe-based failure detection', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;

  beforeAll(async () => {
    s = await startScenario({
      config: `
mpathd: { failureDetectionTime: ${FDT} }
defaultRouters: [192.0.2.254]
groups:
  - name: ipmp0
    announce: { arpCount: 2, arpIntervalMs: 200 }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
`,
    });
    ({ t, d } = s);
    await d.probesSettled();
  });
  afterAll(() => s?.close());

  it('shows targets, FDT and live probes', async () => {
    const tt = await d.cli('ipmpstat', ['-t', '-n', '-o', 'interface,mode,testaddr,targets', '-P']);
    expect(tt.stdout.trim().split('\n').sort()).toEqual(['eth0:routes:192.0.2.10:192.0.2.254', 'eth1:routes:192.0.2.11:192.0.2.254']);
    const g = await d.cli('ipmpstat', ['-g', '-n', '-o', 'group,state,fdt', '-P']);
    expect(g.stdout.trim()).toBe('ipmp0:ok:0.70s');
    // -p runs until interrupted; 2.5 s: starting the CLI alone took over a second on a loaded machine (no rows at all).
    let out = '';
    try {
      out = execFileSync('ip', ['netns', 'exec', t.host, 'timeout', '-s', 'INT', '2.5', process.execPath, BIN('ipmpstat'), '-p', '-n'], {
        encoding: 'utf8', env: { ...process.env, IPMPD_SOCKET: d.socketPath },
      });
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    const rows = out.trim().split('\n').filter((l) => /^\s*-?\d+\.\d+s\s+eth[01]\s+\d+/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(4); // probe interval 100 ms per NIC
    expect(rows.some((r) => r.includes('192.0.2.254'))).toBe(true);
  });

  it('detects a black hole with carrier up within FDT and fails over', async () => {
    expect(ping(t.client, DATA)).toBe(true); // the client has a neighbour entry to update
    const started = Date.now();
    t.detach(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', FDT + 1500, 'failover after the black hole');
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(FDT + 500); // in.mpathd's promise is FDT; margin for polling and load
    const i = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,link,probe,state', '-P']);
    expect(i.stdout).toContain('eth0:up:failed:failed');
    await until(() => neighbourMac(t.client, DATA) === macOf(t.host, 'eth1'), 2000, 'client follows the announcement');
    expect(ping(t.client, DATA, 2)).toBe(true);
  });

  it('repairs after answered probes once reattached, and fails back', async () => {
    t.attach(0);
    await until(() => holder(t.host, DATA).join() === 'eth0', 2 * FDT + 3000, 'failback after repair');
    // Log lines follow the kernel change (frames first, logs after): wait for it.
    await until(() => d.logsMatching(/repair detected on eth0/i).length > 0, 1000, 'repair logged');
    expect(ping(t.client, DATA, 2)).toBe(true);
  });
});
