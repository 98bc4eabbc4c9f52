// Request builders, decoded back with our own codec (this kernel has no vlan/macvlan
// modules, so these encodings are checked here rather than in integration tests).
import { describe, expect, it } from 'vitest';
import { decodeAddrMsg } from '../../../src/netlink/address.js';
import { attrKind, readU16, readU32 } from '../../../src/netlink/attrs.js';
import {
  AF_INET, AF_INET6, IFA_F_NODAD, IFF_UP, IFLA_MACVLAN_MODE, IFLA_VLAN_ID, MACVLAN_MODE_PRIVATE, NLM_F_CREATE, NLM_F_EXCL,
  NLM_F_REPLACE, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RTN_UNICAST, RTPROT_STATIC, VETH_INFO_PEER,
} from '../../../src/netlink/constants.js';
import { decodeLinkMsg, linkInfoData, linkKind, toLink } from '../../../src/netlink/link.js';
import { decodeRouteMsg, toRoute } from '../../../src/netlink/route.js';
import * as req from '../../../src/netlink/requests.js';

describe('link requests', () => {
  it('veth carries the peer as a nested ifinfomsg', () => {
    const r = req.vethCreate('a0', 'a1');
    expect(r.flags).toBe(NLM_F_CREATE | NLM_F_EXCL);
    const m = decodeLinkMsg(r.payload);
    expect(m.ifname).toBe('a0');
    expect(linkKind(m)).toBe('veth');
    const peer = linkInfoData(m)?.find((a) => attrKind(a) === VETH_INFO_PEER);
    expect(decodeLinkMsg(peer?.data as Buffer).ifname).toBe('a1');
  });

  it('vlan has IFLA_LINK and the id; macvlan the mode', () => {
    const v = decodeLinkMsg(req.vlanCreate('a0.7', 5, 7).payload);
    expect(toLink(v)).toMatchObject({ kind: 'vlan', vlanId: 7, parentIndex: 5, name: 'a0.7' });
    expect(readU16(linkInfoData(v)?.find((a) => attrKind(a) === IFLA_VLAN_ID)?.data as Buffer)).toBe(7);
    const mv = decodeLinkMsg(req.macvlanCreate('mv0', 5, 'private').payload);
    expect(linkKind(mv)).toBe('macvlan');
    expect(readU32(linkInfoData(mv)?.find((a) => attrKind(a) === IFLA_MACVLAN_MODE)?.data as Buffer)).toBe(MACVLAN_MODE_PRIVATE);
  });

  it.each([
    [{ up: true }, { flags: IFF_UP, change: IFF_UP }],
    [{ up: false }, { flags: 0, change: IFF_UP }],
    [{ master: 0 }, { master: 0, change: 0 }],
    [{ mtu: 1400, name: 'x' }, { mtu: 1400, ifname: 'x', change: 0 }],
  ])('setLink %j', (change, expected) => {
    expect(decodeLinkMsg(req.linkSet(9, change).payload)).toMatchObject({ index: 9, ...expected });
  });
});

describe('address requests', () => {
  it('IPv4 sends IFA_LOCAL and IFA_ADDRESS, flags in both fields, lifetimes in cacheinfo', () => {
    const m = decodeAddrMsg(req.addressAdd({ family: 4, index: 3, address: '192.0.2.1', prefixLen: 24, flags: 0x202, validLft: 60 }).payload);
    expect(m).toMatchObject({ family: AF_INET, prefixLen: 24, index: 3, flags: 0x02, flags32: 0x202 });
    expect([...(m.local as Buffer)]).toEqual([192, 0, 2, 1]);
    expect(m.address).toEqual(m.local);
    expect(m.cacheinfo).toMatchObject({ valid: 60, preferred: 60 });
  });

  it('IPv6 sends IFA_ADDRESS only; delete omits flags; replace uses NLM_F_REPLACE', () => {
    const r = req.addressReplace({ family: 6, index: 3, address: '2001:db8::1', prefixLen: 64, flags: IFA_F_NODAD });
    expect(r.flags).toBe(NLM_F_CREATE | NLM_F_REPLACE);
    const m = decodeAddrMsg(r.payload);
    expect(m.family).toBe(AF_INET6);
    expect(m.local).toBeUndefined();
    expect(m.address?.length).toBe(16);
    const d = decodeAddrMsg(req.addressDelete({ family: 6, index: 3, address: '2001:db8::1', prefixLen: 64, flags: IFA_F_NODAD }).payload);
    expect(d.flags32).toBeUndefined();
  });
});

describe('route requests', () => {
  it('defaults: main table, static, unicast, link scope without gateway', () => {
    const m = decodeRouteMsg(req.routeAdd({ family: 4, dst: '192.0.2.0', dstLen: 24, oif: 2 }).payload);
    expect(m).toMatchObject({ table: 254, protocol: RTPROT_STATIC, type: RTN_UNICAST, scope: RT_SCOPE_LINK, oif: 2 });
    const g = decodeRouteMsg(req.routeAdd({ family: 4, dst: undefined, dstLen: 0, gateway: '192.0.2.1' }).payload);
    expect(g.scope).toBe(RT_SCOPE_UNIVERSE);
    expect(g.dst).toBeUndefined();
  });

  it('multipath weights travel as hops = weight - 1; tables ≥ 256 use RTA_TABLE', () => {
    const m = decodeRouteMsg(req.routeReplace({
      family: 6, dst: '2001:db8::', dstLen: 32, table: 1000,
      nexthops: [{ ifindex: 2, gateway: 'fe80::1', weight: 1 }, { ifindex: 3, weight: 256 }],
    }).payload);
    expect(m.multipath?.map((n) => n.hops)).toEqual([0, 255]);
    expect(m.table).toBe(0);
    expect(m.table32).toBe(1000);
    expect(toRoute(m)?.nexthops).toEqual([{ ifindex: 2, gateway: 'fe80::1', weight: 1 }, { ifindex: 3, weight: 256 }]);
    expect(() => req.routeAdd({ family: 4, dstLen: 0, nexthops: [{ ifindex: 2, weight: 0 }] })).toThrow(RangeError);
  });

  it('deletes leave protocol, scope and type as wildcards', () => {
    const m = decodeRouteMsg(req.routeDelete({ family: 4, dst: '192.0.2.0', dstLen: 24 }).payload);
    expect(m).toMatchObject({ protocol: 0, scope: RT_SCOPE_NOWHERE, type: 0, table: 254 });
  });
});
