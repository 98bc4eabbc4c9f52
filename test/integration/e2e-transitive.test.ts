// Transitive probing (probe: transitive) on the real kernel: members with no test address are
// probe-checked with RFC 5227 ARP probes (sender 0.0.0.0) to the data subnet's router through
// each NIC. A black hole past the switch (carrier up, the switch port leaves the bridge) fails
// the NIC over (at the configured FDT; the time itself is measured by npm run bench
// transitive), reattaching repairs it, and a short soak sees no false failover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../helpers/daemon.js';
import { holder, ping } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const FDT = 700;
const A = '192.0.2.100';
const B = '192.0.2.101';

describe.runIf(enabled)('e2e: transitive probing (no test addresses)', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;

  beforeAll(async () => {
    s = await startScenario({
      config: `
mpathd: { failureDetectionTime: ${FDT} }
defaultRouters: [192.0.2.254]
groups:
  - name: g
    probe: transitive
    announce: { arpCount: 2, arpIntervalMs: 200 }
    interfaces: [{ name: eth0 }, { name: eth1 }]
    dataAddresses:
      - { address: ${A}/24, interface: eth0 }
      - { address: ${B}/24, interface: eth1 }
`,
    });
    ({ t, d } = s);
    await d.probesSettled();
  });
  afterAll(() => s?.close());

  it('shows MODE transitive with no test address, probes ok, FDT set', async () => {
    const tt = await d.cli('ipmpstat', ['-t', '-n', '-o', 'interface,mode,testaddr,targets', '-P']);
    expect(tt.stdout.trim().split('\n').sort()).toEqual(['eth0:transitive::192.0.2.254', 'eth1:transitive::192.0.2.254']);
    const human = await d.cli('ipmpstat', ['-t', '-n']);
    expect(human.stdout).toMatch(/^eth0\s+transitive\s+--\s+192\.0\.2\.254\s*$/m);
    const i = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,probe,state', '-P']);
    expect(i.stdout.trim().split('\n').sort()).toEqual(['eth0:ok:ok', 'eth1:ok:ok']);
    expect((await d.cli('ipmpstat', ['-g', '-n', '-o', 'fdt', '-P'])).stdout.trim()).toBe('0.70s');
  });

  it('no false failover while every path works (short soak: 20 probe intervals)', async () => {
    const before = d.logsMatching(/failure detected/i).length;
    await sleep(FDT * 3);
    expect(d.logsMatching(/failure detected/i).length).toBe(before);
    expect(holder(t.host, A)).toEqual(['eth0']);
    expect(holder(t.host, B)).toEqual(['eth1']);
  });

  it('a black hole with carrier up on a NIC without test address fails it over, FDT not raised', async () => {
    expect(ping(t.client, B)).toBe(true);
    t.detach(1);
    // The wall-clock time to detection on this shared machine is a benchmark number (npm run
    // bench transitive: 10/10 within FDT at 1000 ms); here the outcome is asserted, with the
    // FDT still the configured one (not raised), so in.mpathd's 5-probes-in-FDT rule applied.
    await until(() => holder(t.host, B).join() === 'eth0', 3 * FDT + 3000, 'failover after the black hole');
    expect((await d.cli('ipmpstat', ['-g', '-n', '-o', 'fdt', '-P'])).stdout.trim()).toBe('0.70s');
    // Log lines follow the kernel change (frames first, logs after): wait for it.
    await until(() => d.logsMatching(/NIC failure detected on eth1 of group g/).length === 1, 1000, 'failure logged');
    const i = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,link,probe,state', '-P']);
    expect(i.stdout).toContain('eth1:up:failed:failed');
    expect(i.stdout).toContain('eth0:up:ok:ok');
    expect(ping(t.client, B, 2)).toBe(true);
  });

  it('repair is detected once the port is back (10 answered probes), and the address fails back', async () => {
    t.attach(1);
    await until(() => holder(t.host, B).join() === 'eth1', 2 * FDT + 3000, 'failback after repair');
    await until(() => d.logsMatching(/repair detected on eth1/i).length > 0, 1000, 'repair logged');
    expect(d.logsMatching(/failure detected on eth0/).length).toBe(0);
    expect(ping(t.client, B, 2)).toBe(true);
  });
});
