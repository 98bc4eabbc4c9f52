// RtnlClient + RtnlMonitor against the real kernel in a fresh namespace: every change is
// made through the library and must be reported by the monitor with the right fields;
// `ip` is only the independent witness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtnlClient } from '../../src/netlink/client.js';
import {
  IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_PERMANENT, IFF_LOWER_UP, IFF_RUNNING, RT_TABLE_MAIN, RTPROT_STATIC,
} from '../../src/netlink/constants.js';
import { RtnlMonitor } from '../../src/netlink/monitor.js';
import type { Link } from '../../src/netlink/types.js';
import { EventLog, converged, quiet } from '../fixtures/netlink/harness.js';
import { Lab, ipJson, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();

describe.runIf(enabled)('rtnetlink client and monitor', () => {
  const lab = new Lab();
  let ns = '';
  let client: RtnlClient;
  let mon: RtnlMonitor;
  let log: EventLog;
  let v0: Link;
  let v1: Link;
  let br: Link;

  beforeAll(async () => {
    ns = lab.ns('nl');
    client = RtnlClient.open({ netns: lab.path(ns) });
    mon = await RtnlMonitor.open({ netns: lab.path(ns) });
    mon.on('error', (e) => { throw e; });
    log = new EventLog(mon);
  });
  afterAll(() => {
    mon?.close();
    client?.close();
    lab.destroy();
  });

  it('starts with the namespace as a dump shows it', async () => {
    expect([...mon.links.values()].map((l) => l.name)).toEqual(['lo']);
    const { view, dump } = await converged(mon, client);
    expect(view).toEqual(dump);
  });

  it('reports a new veth pair and bridge with their kinds', async () => {
    const from = log.mark();
    await client.createVeth('nv0', 'nv1');
    await client.createBridge('nbr0');
    const added = await Promise.all(['nv0', 'nv1', 'nbr0'].map((n) => log.waitFor('link-added', (e) => e.link.name === n, from)));
    [v0, v1, br] = added.map((e) => e.link) as [Link, Link, Link];
    expect(v0.kind).toBe('veth');
    expect(v0.parentIndex).toBe(v1.index);
    expect(br.kind).toBe('bridge');
    expect(await client.getLinkByName('nv0')).toMatchObject({ index: v0.index, name: 'nv0', kind: 'veth' });
    expect(await client.getLink(v1.index)).toMatchObject({ name: 'nv1' });
    expect(await client.getLinkByName('nosuchlink')).toBeUndefined();
    const witness = ipJson<{ ifname: string; ifindex: number }[]>(ns, 'link', 'show', 'nv0');
    expect(witness[0]?.ifindex).toBe(v0.index);
  });

  it('reports up, running and master changes', async () => {
    const from = log.mark();
    await client.setLink(v0.index, { up: true, master: br.index });
    await client.setLink(v1.index, { up: true, mtu: 1400 });
    await client.setLink(br.index, { up: true });
    const up = await log.waitFor('link-up', (e) => e.link.index === v0.index, from);
    expect(up.link).toMatchObject({ up: true, running: true, lowerUp: true, master: br.index, operstate: 'up', carrier: true });
    expect(up.previous?.running).toBe(false);
    await log.waitFor('link-changed', (e) => e.link.index === v1.index && e.link.mtu === 1400, from);
    expect(mon.links.get(v0.index)?.master).toBe(br.index);
  });

  it('sees carrier loss on the peer as RUNNING and LOWER_UP cleared', async () => {
    const from = log.mark();
    await client.setLink(v1.index, { up: false });
    const down = await log.waitFor('link-down', (e) => e.link.index === v0.index, from);
    expect(down.link.running).toBe(false);
    expect(down.link.lowerUp).toBe(false);
    expect(down.link.flags & (IFF_RUNNING | IFF_LOWER_UP)).toBe(0);
    expect(down.link.up).toBe(true);
    expect(down.link.carrier).toBe(false);
    expect(down.link.operstate).toBe('lowerlayerdown');
    const back = log.mark();
    await client.setLink(v1.index, { up: true });
    await log.waitFor('link-up', (e) => e.link.index === v0.index, back);
  });

  it('reports IPv4 and IPv6 addresses with NODAD and NOPREFIXROUTE, and their removal', async () => {
    const from = log.mark();
    const flags = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
    await client.addAddress({ family: 4, index: v1.index, address: '192.0.2.10', prefixLen: 24, flags: IFA_F_NOPREFIXROUTE });
    await client.addAddress({ family: 6, index: v1.index, address: '2001:db8:1::10', prefixLen: 64, flags });
    const a4 = await log.waitFor('address-added', (e) => e.address.local === '192.0.2.10', from);
    expect(a4.address).toMatchObject({ family: 4, index: v1.index, prefixLen: 24, label: 'nv1' });
    expect(a4.address.flags & IFA_F_NOPREFIXROUTE).toBe(IFA_F_NOPREFIXROUTE);
    const a6 = await log.waitFor('address-added', (e) => e.address.local === '2001:db8:1::10', from);
    expect(a6.address.flags & flags).toBe(flags);
    expect(a6.address.flags & IFA_F_PERMANENT).toBe(IFA_F_PERMANENT);
    expect(a6.address).toMatchObject({ prefixLen: 64, validLft: 0xffffffff, preferredLft: 0xffffffff });
    // The witness agrees; NOPREFIXROUTE means no 2001:db8:1::/64 route.
    const shown = ipJson<{ addr_info: { local: string; noprefixroute?: boolean }[] }[]>(ns, 'addr', 'show', 'dev', 'nv1');
    expect(shown[0]?.addr_info.filter((x) => x.noprefixroute).map((x) => x.local).sort()).toEqual(['192.0.2.10', '2001:db8:1::10']);
    expect((await client.listRoutes(6)).some((r) => r.dst === '2001:db8:1::')).toBe(false);

    const del = log.mark();
    await client.deleteAddress({ family: 6, index: v1.index, address: '2001:db8:1::10', prefixLen: 64 });
    const gone = await log.waitFor('address-removed', (e) => e.address.local === '2001:db8:1::10', del);
    expect(gone.address.index).toBe(v1.index);
    expect([...mon.addresses.values()].some((a) => a.local === '2001:db8:1::10')).toBe(false);
  });

  it('replaces a multipath route and reports the nexthops', async () => {
    await client.addAddress({ family: 4, index: v0.index, address: '198.51.100.1', prefixLen: 24 });
    await client.addAddress({ family: 4, index: v1.index, address: '203.0.113.1', prefixLen: 24 });
    const from = log.mark();
    const spec = { family: 4 as const, dst: '192.0.2.128', dstLen: 25 };
    await client.addRoute({ ...spec, gateway: '198.51.100.2', oif: v0.index });
    const first = await log.waitFor('route-added', (e) => e.route.dst === '192.0.2.128', from);
    expect(first.route).toMatchObject({ gateway: '198.51.100.2', oif: v0.index, table: RT_TABLE_MAIN, protocol: RTPROT_STATIC });
    const rep = log.mark();
    await client.replaceRoute({
      ...spec,
      nexthops: [{ ifindex: v0.index, gateway: '198.51.100.2', weight: 1 }, { ifindex: v1.index, gateway: '203.0.113.2', weight: 3 }],
    });
    const mp = await log.waitFor('route-added', (e) => e.route.dst === '192.0.2.128' && e.route.nexthops !== undefined, rep);
    expect(mp.route.nexthops).toEqual([
      { ifindex: v0.index, gateway: '198.51.100.2', weight: 1 },
      { ifindex: v1.index, gateway: '203.0.113.2', weight: 3 },
    ]);
    expect(mp.previous?.gateway).toBe('198.51.100.2');
    const witness = ipJson<{ dst: string; nexthops?: { gateway: string; weight: number }[] }[]>(ns, 'route', 'show', '192.0.2.128/25');
    expect(witness[0]?.nexthops?.map((n) => n.weight)).toEqual([1, 3]);

    // IPv6 multipath too.
    await client.addAddress({ family: 6, index: v0.index, address: '2001:db8:2::1', prefixLen: 64, flags: IFA_F_NODAD });
    await client.addAddress({ family: 6, index: v1.index, address: '2001:db8:3::1', prefixLen: 64, flags: IFA_F_NODAD });
    const six = log.mark();
    await client.replaceRoute({
      family: 6, dst: '2001:db8:99::', dstLen: 48,
      nexthops: [{ ifindex: v0.index, gateway: '2001:db8:2::2', weight: 1 }, { ifindex: v1.index, gateway: '2001:db8:3::2', weight: 2 }],
    });
    const mp6 = await log.waitFor('route-added', (e) => e.route.dst === '2001:db8:99::' && (e.route.nexthops?.length ?? 0) === 2, six);
    expect(mp6.route.nexthops?.map((n) => n.weight)).toEqual([1, 2]);

    const del = log.mark();
    await client.deleteRoute(spec);
    await log.waitFor('route-removed', (e) => e.route.dst === '192.0.2.128', del);
    await client.deleteRoute({ family: 6, dst: '2001:db8:99::', dstLen: 48 });
    await log.waitFor('route-removed', (e) => e.route.dst === '2001:db8:99::', del);
  });

  it('drops silently flushed IPv4 routes when a link goes down or loses its last address', async () => {
    await client.addRoute({ family: 4, dst: '192.0.2.0', dstLen: 26, gateway: '198.51.100.2' });
    await client.addRoute({ family: 4, dst: '192.0.2.64', dstLen: 26, oif: v0.index });
    await client.addRoute({ family: 4, dst: '192.0.2.192', dstLen: 26, gateway: '203.0.113.2' });
    await quiet(log);
    const from = log.mark();
    await client.setLink(v0.index, { up: false });
    await log.waitFor('route-removed', (e) => e.route.dst === '192.0.2.0', from);
    await quiet(log);
    let { view, dump } = await converged(mon, client);
    expect(view).toEqual(dump);
    expect(Object.values(view.routes).some((r) => r.dst === '192.0.2.64')).toBe(false);

    // Last IPv4 address of nv1 (203.0.113.1 and 192.0.2.10) removed: its routes go without notice.
    const from2 = log.mark();
    await client.deleteAddress({ family: 4, index: v1.index, address: '192.0.2.10', prefixLen: 24 });
    await client.deleteAddress({ family: 4, index: v1.index, address: '203.0.113.1', prefixLen: 24 });
    await log.waitFor('route-removed', (e) => e.route.dst === '192.0.2.192', from2);
    await quiet(log);
    ({ view, dump } = await converged(mon, client));
    expect(view).toEqual(dump);
    await client.setLink(v0.index, { up: true });
  });

  it('rejects an address on a missing ifindex with ENODEV', async () => {
    const err = await client.addAddress({ family: 4, index: 9999, address: '192.0.2.99', prefixLen: 24 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NetlinkError', code: 'ENODEV', errno: 19 });
    const err6 = await client.addAddress({ family: 6, index: 9999, address: '2001:db8::99', prefixLen: 64 }).catch((e: unknown) => e);
    expect(err6).toMatchObject({ code: 'ENODEV' });
    // Where the kernel explains itself, the ext-ack text is carried through.
    const exists = await client.createBridge('nbr0').catch((e: unknown) => e);
    expect(exists).toMatchObject({ code: 'EEXIST' });
    const badVlan = await client.createVeth('nv0', 'nvx').catch((e: unknown) => e);
    expect(badVlan).toMatchObject({ code: 'EEXIST' });
    const v4exists = await client.addAddress({ family: 4, index: v0.index, address: '198.51.100.1', prefixLen: 24 }).catch((e: unknown) => e);
    expect(v4exists).toMatchObject({ code: 'EEXIST', extAck: 'ipv4: Address already assigned' });
  });

  it('batches mixed requests with one result per op', async () => {
    const ops = [
      { op: 'addAddress' as const, spec: { family: 4 as const, index: v0.index, address: '198.51.100.50', prefixLen: 24 } },
      { op: 'addAddress' as const, spec: { family: 4 as const, index: v0.index, address: '198.51.100.50', prefixLen: 24 } },
      { op: 'setLink' as const, index: v0.index, change: { mtu: 1300 } },
      { op: 'deleteAddress' as const, spec: { family: 4 as const, index: v0.index, address: '198.51.100.50', prefixLen: 24 } },
      { op: 'addRoute' as const, spec: { family: 4 as const, dst: '192.0.2.0', dstLen: 28, oif: 4242 } },
    ];
    const res = await client.batch(ops);
    expect(res.map((r) => r?.code)).toEqual([undefined, 'EEXIST', undefined, undefined, 'ENODEV']);
    expect((await client.getLink(v0.index))?.mtu).toBe(1300);
  });

  it('reports removal of a link and what was on it, and stays equal to a dump', async () => {
    const from = log.mark();
    await client.deleteLink(v0.index);
    await log.waitFor('link-removed', (e) => e.link.index === v0.index, from);
    await log.waitFor('link-removed', (e) => e.link.index === v1.index, from);
    await quiet(log);
    const { view, dump } = await converged(mon, client);
    expect(view).toEqual(dump);
    expect(Object.values(view.links).map((l) => l.name).sort()).toEqual(['lo', 'nbr0']);
  });
});
