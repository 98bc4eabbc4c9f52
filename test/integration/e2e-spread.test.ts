// Seed "load balancing": two data addresses, one per NIC, both active, outbound spread over
// both with multipath routes; a failure folds everything onto the survivor, repair unfolds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../helpers/daemon.js';
import { holder, macOf, neighbourMac, ping, routeDevices } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { until, type AnnouncementWatcher } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const A = '192.0.2.100';
const B = '192.0.2.101';

describe.runIf(enabled)('e2e: outbound-spread group, multipath routes follow failures', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;
  let wire: AnnouncementWatcher;

  beforeAll(async () => {
    s = await startScenario({ config: `
mpathd: { failureDetectionTime: 700 }
defaultRouters: [192.0.2.254]
groups:
  - name: lb
    announce: { arpCount: 2, arpIntervalMs: 200 }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: ${A}/24, interface: eth0 }
      - { address: ${B}/24, interface: eth1 }
` });
    ({ t, d, wire } = s);
  });
  afterAll(() => s?.close());

  it('spreads inbound (one address per NIC) and outbound (multipath over both)', () => {
    expect(holder(t.host, A)).toEqual(['eth0']);
    expect(holder(t.host, B)).toEqual(['eth1']);
    expect(routeDevices(t.host, '192.0.2.0/24')).toEqual(['eth0', 'eth1']);
    expect(routeDevices(t.host, 'default')).toEqual(['eth0', 'eth1']);
    expect(ping(t.client, A)).toBe(true);
    expect(ping(t.client, B)).toBe(true);
  });

  it('on failure of eth0 both addresses and all routes go to eth1', async () => {
    t.cutCarrier(0);
    await until(() => holder(t.host, A).join() === 'eth1', 2000, `${A} on eth1`);
    await until(() => routeDevices(t.host, '192.0.2.0/24').join() === 'eth1', 2000, 'prefix route via eth1 only');
    expect(holder(t.host, B)).toEqual(['eth1']);
    expect(routeDevices(t.host, 'default')).toEqual(['eth1']);
    await until(() => neighbourMac(t.client, A) === macOf(t.host, 'eth1'), 2000, 'client learns eth1 for A');
    expect(ping(t.client, A, 2)).toBe(true);
    expect(ping(t.client, B, 2)).toBe(true);
    // The moved address was announced; the one that stayed was not.
    expect(wire.for(A).some((s) => s.port === t.port(1))).toBe(true);
  });

  it('on repair the address returns home and routes spread again', async () => {
    t.restoreCarrier(0);
    await until(() => holder(t.host, A).join() === 'eth0', 4000, `${A} back on eth0`);
    await until(() => routeDevices(t.host, 'default').join() === 'eth0,eth1', 2000, 'default over both');
    expect(routeDevices(t.host, '192.0.2.0/24')).toEqual(['eth0', 'eth1']);
    await until(() => neighbourMac(t.client, A) === macOf(t.host, 'eth0'), 2000, 'client learns eth0 for A');
    expect(ping(t.client, A, 2)).toBe(true);
  });
});
