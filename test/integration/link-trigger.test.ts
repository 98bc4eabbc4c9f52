// Trigger sockets against real link events in a namespace: the carrier-loss filter lets
// through only "this ifindex became unusable", and an armed trigger's netlink batch and
// first GARP are in the kernel / on the wire when JavaScript first hears of the event.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NlConnection } from '../../src/netlink/connection.js';
import { LinkTrigger } from '../../src/netlink/link-trigger.js';
import { RtnlClient } from '../../src/netlink/client.js';
import { batchRequest } from '../../src/netlink/client.js';
import { buildGratuitousArp } from '../../src/packet/arp.js';
import { AF_PACKET, ETH_P_ARP, SOCK_RAW } from '../../src/sys/constants.js';
import { Socket, type FireReport } from '../../src/sys/socket.js';
import { AnnouncementWatcher } from '../helpers/wire.js';
import { Lab, ip, ipJson, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.runIf(enabled)('link trigger', () => {
  const lab = new Lab();
  let h = '';
  let sw = '';
  const index: Record<string, number> = {};
  const closers: (() => void)[] = [];

  beforeAll(() => {
    h = lab.ns('h');
    sw = lab.ns('sw');
    for (const n of ['eth0', 'eth1']) {
      lab.veth(h, n, sw, `p-${n}`);
      ip(h, 'link', 'set', n, 'up');
      ip(sw, 'link', 'set', `p-${n}`, 'up');
      index[n] = ipJson<{ ifindex: number }[]>(h, 'link', 'show', n)[0]!.ifindex;
    }
  });
  afterEach(() => {
    for (const c of closers.splice(0)) c();
    for (const n of ['eth0', 'eth1']) { ip(sw, 'link', 'set', `p-${n}`, 'up'); ip(h, 'link', 'set', n, 'up'); }
    ip(h, 'addr', 'flush', 'dev', 'eth1');
  });
  afterAll(() => lab.destroy());

  const trigger = (name: string): LinkTrigger => {
    const t = new LinkTrigger(index[name]!, { netns: lab.path(h) });
    closers.push(() => t.close());
    return t;
  };

  it('receives only its own link becoming unusable: carrier loss and admin down, not up, not other links', async () => {
    const t0 = trigger('eth0');
    ip(h, 'link', 'set', 'eth1', 'down'); // another link: filtered out
    ip(h, 'link', 'set', 'eth1', 'up');
    ip(h, 'link', 'set', 'eth0', 'mtu', '1400'); // its own link, still usable: filtered out
    ip(sw, 'link', 'set', 'p-eth0', 'down'); // carrier loss on eth0
    await until(() => t0.seen >= 1, 'carrier loss notification');
    const afterCarrier = t0.seen;
    ip(sw, 'link', 'set', 'p-eth0', 'up'); // carrier back: usable notifications are dropped
    await until(() => ipJson<{ flags: string[] }[]>(h, 'link', 'show', 'eth0')[0]!.flags.includes('LOWER_UP'), 'carrier back');
    await new Promise((r) => setTimeout(r, 50));
    expect(t0.seen).toBe(afterCarrier);
    ip(h, 'link', 'set', 'eth0', 'down');
    await until(() => t0.seen > afterCarrier, 'admin down notification');
    ip(h, 'link', 'set', 'eth0', 'mtu', '1500');
  });

  it('an armed trigger has the address in the kernel and the GARP on the wire before JavaScript hears of the carrier loss', async () => {
    const t0 = trigger('eth0');
    const requests = NlConnection.open({ netns: lab.path(h), strict: true });
    const packet = new Socket(AF_PACKET, SOCK_RAW, 0, { netns: lab.path(h) });
    const client = RtnlClient.open({ netns: lab.path(h) });
    const wire = new AnnouncementWatcher(sw, ['p-eth1']);
    closers.push(() => { requests.close(); packet.close(); client.close(); wire.close(); });
    const mac = ipJson<{ address: string }[]>(h, 'link', 'show', 'eth1')[0]!.address;
    const spec = { family: 4 as const, index: index.eth1!, address: '192.0.2.100', prefixLen: 24 };
    const batch = requests.prepareBatch([batchRequest({ op: 'replaceAddress', spec }), batchRequest({ op: 'addAddress', spec })]);
    const cell = new Uint32Array([1]);
    let atFire: { report: FireReport; addressPresent: boolean; acks: Promise<unknown[]> } | undefined;
    t0.arm([
      { socket: requests.nativeSocket!, data: batch.data },
      { socket: packet, data: buildGratuitousArp(mac, '192.0.2.100'), to: { family: 'packet', protocol: ETH_P_ARP, ifindex: index.eth1! } },
    ], (report) => {
      const acks = requests.expectAcks(batch.seqs, batch.ops);
      // Synchronous look at the kernel from inside the first JavaScript after the event.
      const addressPresent = ipJson<{ addr_info: { local: string }[] }[]>(h, 'addr', 'show', 'dev', 'eth1')[0]!.addr_info.some((a) => a.local === '192.0.2.100');
      atFire = { report, addressPresent, acks };
    }, { cell, expect: 1 });
    ip(sw, 'link', 'set', 'p-eth0', 'down');
    await until(() => atFire !== undefined && wire.for('192.0.2.100').length > 0, 'fire and GARP');
    // Netlink datagrams carry no kernel stamp: the poll wake-up is the trigger's time.
    expect(atFire!.report.wokeNs > 0n && atFire!.report.wokeNs <= atFire!.report.startNs).toBe(true);
    expect(atFire!.report.fired).toBe(true);
    expect(atFire!.addressPresent).toBe(true);
    expect(atFire!.report.sends.map((s) => s.errno)).toEqual([0, 0]);
    // The duplicate add in the same batch is refused harmlessly; the replace was acknowledged.
    const acks = (await atFire!.acks) as ({ code: string } | undefined)[];
    expect(acks[0]).toBeUndefined();
    expect(acks[1]?.code).toBe('EEXIST');
    expect(cell[0]).toBe(2);
    // The GARP left before JavaScript ran: its wire stamp precedes the fired report's last send stamp.
    expect(wire.for('192.0.2.100')[0]!.atNs <= atFire!.report.sends[1]!.ns).toBe(true);
  });
});
