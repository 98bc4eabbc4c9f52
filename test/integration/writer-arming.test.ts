// The writer's native arming against the real kernel: a current plan is sent by the carrier-
// loss trigger; a plan made stale (a change after arming, a newer plan, a member without a
// plan any more) sends nothing, whichever comes first. The JavaScript fast path never fires
// a plan the trigger already sent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Announcer, type Announcement } from '../../src/apply/announcer.js';
import { NativeArming } from '../../src/apply/native-arming.js';
import { PlacedRecord } from '../../src/apply/placed-record.js';
import { KernelWriter, type ArmedPlan } from '../../src/apply/writer.js';
import { DEFAULT_ANNOUNCE } from '../../src/config/model.js';
import { silentLogger } from '../../src/log.js';
import { RtnlClient } from '../../src/netlink/client.js';
import { RtnlMonitor } from '../../src/netlink/monitor.js';
import { holder } from '../helpers/host-state.js';
import { Lab, ip, ipJson, requireNetnsSupport } from '../helpers/netns.js';
import { AnnouncementWatcher } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.runIf(enabled)('writer: native arming', () => {
  const lab = new Lab();
  let h = '';
  let sw = '';
  let eth1 = 0;
  let mac1 = '';
  let client: RtnlClient;
  let monitor: RtnlMonitor;
  let announcer: Announcer;
  let arming: NativeArming;
  let writer: KernelWriter;
  let wire: AnnouncementWatcher;
  const fired: string[] = [];

  const lowerUp = (): boolean => [...monitor.links.values()].find((l) => l.name === 'eth0')?.lowerUp ?? false;
  const plan = (address: string, generation = writer.generation): ArmedPlan => {
    const a: Announcement = { ifname: 'eth1', ifindex: eth1, mac: mac1, family: 4, address, count: 1, intervalMs: 1000 };
    return { ifname: 'eth0', generation, ops: [{ op: 'replaceAddress', spec: { family: 4, index: eth1, address, prefixLen: 24 } }], announcements: [a] };
  };
  /** Cuts eth0's carrier and waits until the host has seen it, plus time for any send to land. */
  const cut = async (): Promise<void> => {
    ip(sw, 'link', 'set', 'p-eth0', 'down');
    await until(() => !lowerUp(), 'carrier loss seen');
    await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    h = lab.ns('h');
    sw = lab.ns('sw');
    for (const n of ['eth0', 'eth1']) {
      lab.veth(h, n, sw, `p-${n}`);
      ip(h, 'link', 'set', n, 'up');
      ip(sw, 'link', 'set', `p-${n}`, 'up');
    }
    const l1 = ipJson<{ ifindex: number; address: string }[]>(h, 'link', 'show', 'eth1')[0]!;
    eth1 = l1.ifindex;
    mac1 = l1.address;
    const netns = lab.path(h);
    client = RtnlClient.open({ netns });
    monitor = await RtnlMonitor.open({ netns });
    announcer = new Announcer({ netns, log: silentLogger });
    arming = new NativeArming({ netns, packetSocket: announcer.packetSocket, log: silentLogger });
    writer = new KernelWriter(client, monitor, announcer, () => DEFAULT_ANNOUNCE, new PlacedRecord(undefined), silentLogger);
    writer.useNativeArming(arming, (a) => announcer.continueAfterFirst(a));
    writer.onNativeFire = (ifname) => fired.push(ifname);
    wire = new AnnouncementWatcher(sw, ['p-eth1']);
  });
  afterEach(async () => {
    fired.length = 0;
    wire.clear();
    ip(sw, 'link', 'set', 'p-eth0', 'up');
    ip(h, 'addr', 'flush', 'dev', 'eth1');
    await until(lowerUp, 'carrier back');
  });
  afterAll(() => {
    for (const c of [arming, announcer, monitor, client, wire]) c?.close();
    lab.destroy();
  });

  it('a current plan is sent by the trigger; the JavaScript path then refuses it as stale', async () => {
    const p = plan('192.0.2.100');
    writer.arm(new Map([['eth0', p]]));
    expect(arming.armedIndexes()).toHaveLength(1);
    await cut();
    expect(fired).toEqual(['eth0']);
    expect(holder(h, '192.0.2.100')).toEqual(['eth1']);
    await until(() => wire.for('192.0.2.100').length > 0, 'first GARP from eth1');
    expect(writer.fire(p)).toBe(false);
  });

  it('a change after arming (invalidate) makes the armed plan send nothing', async () => {
    writer.arm(new Map([['eth0', plan('192.0.2.101')]]));
    writer.invalidate();
    await cut();
    expect(fired).toEqual([]);
    expect(holder(h, '192.0.2.101')).toEqual([]);
    expect(wire.for('192.0.2.101')).toEqual([]);
  });

  it('re-arming replaces the plan: only the newest is sent', async () => {
    writer.arm(new Map([['eth0', plan('192.0.2.102')]]));
    writer.invalidate();
    writer.arm(new Map([['eth0', plan('192.0.2.103')]]));
    await cut();
    expect(fired).toEqual(['eth0']);
    expect(holder(h, '192.0.2.102')).toEqual([]);
    expect(holder(h, '192.0.2.103')).toEqual(['eth1']);
  });

  it('a member left without a plan (removed, or config reloaded) is disarmed and its trigger closed', async () => {
    writer.arm(new Map([['eth0', plan('192.0.2.104')]]));
    writer.arm(new Map());
    expect(arming.armedIndexes()).toEqual([]);
    await cut();
    expect(fired).toEqual([]);
    expect(holder(h, '192.0.2.104')).toEqual([]);
  });

  it('a plan already stale when armed is not armed at all', async () => {
    writer.arm(new Map([['eth0', plan('192.0.2.105', writer.generation - 1)]]));
    expect(arming.armedIndexes()).toEqual([]);
    await cut();
    expect(holder(h, '192.0.2.105')).toEqual([]);
  });
});
