// What ipmpd must never do and what it promises at the edges: it touches only configured
// interfaces, refuses a bad configuration without changing anything, plans without
// applying, pings the systemd watchdog, and cleans up on exit only when asked to.
import { afterEach, describe, expect, it } from 'vitest';
import { twoNicGroup } from '../helpers/configs.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder, routeDevices } from '../helpers/host-state.js';
import { ip, ipJson, nsExec, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { until, sleep } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const CONFIG = twoNicGroup;

/** /proc/sys/net is per network namespace: read it from inside the namespace. */
function readNsSysctl(ns: string, key: string): string {
  return nsExec(ns, 'cat', [`/proc/sys/net/${key.replaceAll('.', '/')}`]).trim();
}

describe.runIf(enabled)('e2e: boundaries', () => {
  let t: Topology | undefined;
  let d: DaemonProcess | undefined;
  afterEach(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
    d = undefined;
    t = undefined;
  });

  it('never touches an interface outside the configuration', async () => {
    t = buildTopology(3); // eth2 is not a member
    ip(t.host, 'link', 'set', 'eth2', 'up');
    ip(t.host, 'addr', 'add', '198.51.100.7/24', 'dev', 'eth2');
    ip(t.host, 'addr', 'add', '192.0.2.100/32', 'dev', 'eth2'); // even a managed address
    // The kernel's own IPv6 DAD finishes in its own time ("tentative" goes away): not ours.
    const eth2 = (): string => JSON.stringify(ipJson(t!.host, 'addr', 'show', 'dev', 'eth2')).replaceAll('"tentative":true,', '');
    const before = eth2();
    const sysBefore = readNsSysctl(t.host, 'ipv4.conf.eth2.arp_ignore');
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG());
    await d.start();
    t.cutCarrier(0);
    await until(() => holder(t!.host, '192.0.2.100').includes('eth1'), 2000, 'failover');
    t.restoreCarrier(0);
    await until(() => holder(t!.host, '192.0.2.100').includes('eth0'), 3000, 'failback');
    await d.stop();
    expect(eth2()).toBe(before);
    expect(readNsSysctl(t.host, 'ipv4.conf.eth2.arp_ignore')).toBe(sysBefore);
    expect(routeDevices(t.host, '198.51.100.0/24')).toEqual(['eth2']);
  });

  it('refuses a configuration with errors at start and changes nothing', async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG().replace('192.0.2.11/24', '192.0.2.10/24')); // duplicate test address
    await expect(d.start([], 5000)).rejects.toThrow(/exited \(1\)/);
    expect(holder(t.host, '192.0.2.100')).toEqual([]);
    expect(holder(t.host, '192.0.2.10')).toEqual([]);
    expect(readNsSysctl(t.host, 'ipv4.conf.eth0.arp_ignore')).toBe('0');
    expect(d.logs.some((l) => /TEST_ADDRESS_NOT_UNIQUE/.test(l.msg))).toBe(true);
  });

  it('ipmpctl plan lists the changes without making them; after start there are none', async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG());
    let r = await d.cli('ipmpctl', ['plan', d.configPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sysctl net.ipv4.conf.eth0.arp_ignore 0 -> 1');
    expect(r.stdout).toContain('link eth0 up');
    expect(r.stdout).toMatch(/address add 192\.0\.2\.100\/24 dev eth0 \(data\) noprefixroute/);
    expect(r.stdout).toMatch(/route replace default nexthop via 192\.0\.2\.254 dev eth0 nexthop via 192\.0\.2\.254 dev eth1 src 192\.0\.2\.100/);
    expect(holder(t.host, '192.0.2.100')).toEqual([]); // nothing applied
    await d.start();
    r = await d.cli('ipmpctl', ['plan', d.configPath]);
    expect(r.stdout.trim()).toBe('no changes: this host already matches the configuration');
  });

  it('sends WATCHDOG=1 at half the watchdog interval', async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG());
    process.env.WATCHDOG_USEC = '200000';
    try {
      await d.start();
    } finally {
      delete process.env.WATCHDOG_USEC;
    }
    await sleep(450);
    expect(d.notifications.filter((n) => n === 'WATCHDOG=1').length).toBeGreaterThanOrEqual(3);
  });

  it('leaves addresses and sysctls by default; removes and restores them when configured to', async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG('daemon: { cleanupOnExit: true, removeAddressesOnExit: true }'));
    await d.start();
    expect(readNsSysctl(t.host, 'ipv4.conf.eth0.arp_ignore')).toBe('1');
    expect(await d.stop()).toBe(0);
    expect(holder(t.host, '192.0.2.100')).toEqual([]);
    expect(holder(t.host, '192.0.2.10')).toEqual([]);
    expect(readNsSysctl(t.host, 'ipv4.conf.eth0.arp_ignore')).toBe('0');
    expect(routeDevices(t.host, 'default')).toEqual([]);
    expect(d.notifications).toContain('STOPPING=1');
  });
});
