// Restart without disruption (kill -9, then start again: nothing removed or re-added),
// SIGHUP with an unchanged configuration changes nothing, a hand-deleted address returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtnlMonitor, type MonitorEvent } from '../../src/netlink/monitor.js';
import { twoNicGroup } from '../helpers/configs.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { ip, requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { AnnouncementWatcher, sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const CONFIG = twoNicGroup();

describe.runIf(enabled)('e2e: restart, reload and self-repair', () => {
  let t: Topology;
  let d: DaemonProcess;
  let monitor: RtnlMonitor;
  let wire: AnnouncementWatcher;
  const events: MonitorEvent[] = [];

  beforeAll(async () => {
    t = buildTopology(2);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG);
    await d.start();
    monitor = await RtnlMonitor.open({ netns: t.lab.path(t.host) });
    // Only what ipmpd owns: the kernel's own link-local addresses come and go with DAD.
    const ours = new Set([DATA, '192.0.2.10', '192.0.2.11']);
    monitor.on('event', (e) => {
      if ((e.kind === 'address-added' || e.kind === 'address-removed') && ours.has(e.address.local)) events.push(e);
      if ((e.kind === 'route-added' || e.kind === 'route-removed') && e.route.protocol === 73) events.push(e);
    });
    wire = new AnnouncementWatcher(t.sw, [t.port(0), t.port(1)]);
  });
  afterAll(async () => {
    monitor?.close();
    wire?.close();
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });

  it('kill -9 and restart: no address or route removed or re-added, no needless announcement', async () => {
    events.length = 0;
    await d.stop('SIGKILL');
    const again = new DaemonProcess(t.host);
    again.writeConfig(CONFIG);
    try {
      await again.start();
      await sleep(300);
      expect(events).toEqual([]);
      expect(wire.seen).toEqual([]);
      expect(holder(t.host, DATA)).toEqual(['eth0']);
    } finally {
      await again.stop();
      again.cleanup();
    }
    // SIGTERM (default) leaves addresses in place.
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    d = new DaemonProcess(t.host);
    d.writeConfig(CONFIG);
    await d.start();
  });

  it('SIGHUP with an unchanged configuration makes no change', async () => {
    events.length = 0;
    const before = d.notifications.length;
    await d.signal('SIGHUP');
    await d.waitFor(() => d.logsMatching(/configuration reloaded/).length > 0, 15_000, () => `reload not logged: ${JSON.stringify(d.logs.slice(-8))} stderr=${d.stderrText}`);
    await sleep(200);
    expect(events).toEqual([]);
    expect(d.notifications.slice(before).join('\n')).toContain('RELOADING=1');
  });

  it('SIGHUP with a broken configuration keeps the running one and touches nothing', async () => {
    events.length = 0;
    d.writeConfig(`${CONFIG}\n  - name: broken\n    interfaces: 7\n`);
    await d.signal('SIGHUP');
    await until(() => d.logsMatching(/reload refused/).length > 0, 15_000, 'refusal logged');
    expect(events).toEqual([]);
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    d.writeConfig(CONFIG);
  });

  // How fast is a bench number (npm run bench repair: p99 ≈ 20-40 ms); the test asserts the outcome.
  it('an address deleted by hand is put back', async () => {
    ip(t.host, 'addr', 'del', `${DATA}/24`, 'dev', 'eth0');
    await until(() => holder(t.host, DATA).join() === 'eth0', 5000, 'address restored', 1);
  });

  it('a route deleted by hand is reinstalled', async () => {
    ip(t.host, 'route', 'del', 'default');
    await until(() => {
      try { return ip(t.host, 'route', 'show', 'default').includes('192.0.2.254'); } catch { return false; }
    }, 1000, 'default route back');
  });
});
