// Builders for the rtnetlink requests the client sends; pure functions so batches, the
// monitor and tests share them.
import {
  AF_UNSPEC, IFF_UP, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MACVLAN_MODE,
  IFLA_VLAN_ID, MACVLAN_MODE_BRIDGE, MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_PRIVATE, MACVLAN_MODE_VEPA, NLM_F_CREATE,
  NLM_F_EXCL, NLM_F_REPLACE, RTEXT_FILTER_SKIP_STATS, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_GETADDR,
  RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE, VETH_INFO_PEER,
} from './constants.js';
import { AttrWriter } from './attrs.js';
import { addrMsgFromSpec, encodeAddrMsg } from './address.js';
import type { Request } from './connection.js';
import { blankLinkMsg, encodeLinkMsg, IFINFOMSG_LEN } from './link.js';
import { NDMSG_LEN } from './neighbour.js';
import { encodeRouteMsg, RTMSG_LEN, routeMsgFromSpec } from './route.js';
import { afOf } from './text.js';
import type { AddressSpec, Family, LinkChange, RouteSpec } from './types.js';

export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';
const MACVLAN_MODES: Record<MacvlanMode, number> = {
  bridge: MACVLAN_MODE_BRIDGE, private: MACVLAN_MODE_PRIVATE, vepa: MACVLAN_MODE_VEPA, passthru: MACVLAN_MODE_PASSTHRU,
};

const skipStats = (): AttrWriter => new AttrWriter().u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

// --- dumps and gets -------------------------------------------------------------------

export function linkDump(): Request {
  const head = Buffer.alloc(IFINFOMSG_LEN);
  return { type: RTM_GETLINK, flags: 0, payload: Buffer.concat([head, skipStats().toBuffer()]), op: 'listLinks' };
}

export function linkGet(index: number): Request {
  const m = blankLinkMsg(index);
  m.extMask = RTEXT_FILTER_SKIP_STATS;
  return { type: RTM_GETLINK, flags: 0, payload: encodeLinkMsg(m), op: `getLink ${index}` };
}

export function linkGetByName(name: string): Request {
  const m = blankLinkMsg();
  m.ifname = name;
  m.extMask = RTEXT_FILTER_SKIP_STATS;
  return { type: RTM_GETLINK, flags: 0, payload: encodeLinkMsg(m), op: `getLinkByName ${name}` };
}

export function addressDump(family?: Family): Request {
  const head = Buffer.alloc(8);
  head[0] = family === undefined ? AF_UNSPEC : afOf(family);
  return { type: RTM_GETADDR, flags: 0, payload: head, op: `listAddresses${family ? ` v${family}` : ''}` };
}

/** Strict checking lets the kernel filter by table; table 0 means all tables. */
export function routeDump(family: Family, table = 0): Request {
  const head = Buffer.alloc(RTMSG_LEN);
  head[0] = afOf(family);
  const w = new AttrWriter();
  if (table >= 256) w.u32(15 /* RTA_TABLE */, table);
  else head[4] = table;
  return { type: RTM_GETROUTE, flags: 0, payload: Buffer.concat([head, w.toBuffer()]), op: `listRoutes v${family}` };
}

export function neighDump(family?: Family): Request {
  const head = Buffer.alloc(NDMSG_LEN);
  head[0] = family === undefined ? AF_UNSPEC : afOf(family);
  return { type: RTM_GETNEIGH, flags: 0, payload: head, op: 'listNeighbours' };
}

// --- links ----------------------------------------------------------------------------

function newLink(name: string, kind: string, op: string, fill?: { link?: number; data?: (w: AttrWriter) => void }): Request {
  const m = blankLinkMsg();
  m.ifname = name;
  if (fill?.link !== undefined) m.link = fill.link;
  const info = new AttrWriter().str(IFLA_INFO_KIND, kind);
  if (fill?.data) info.nested(IFLA_INFO_DATA, fill.data);
  const payload = Buffer.concat([encodeLinkMsg(m), new AttrWriter().raw(IFLA_LINKINFO, info.toBuffer()).toBuffer()]);
  return { type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, payload, op };
}

export function vethCreate(name: string, peer: string): Request {
  const peerMsg = blankLinkMsg();
  peerMsg.ifname = peer;
  return newLink(name, 'veth', `createVeth ${name} ${peer}`, { data: (w) => w.raw(VETH_INFO_PEER, encodeLinkMsg(peerMsg)) });
}

export const bridgeCreate = (name: string): Request => newLink(name, 'bridge', `createBridge ${name}`);

export function vlanCreate(name: string, parentIndex: number, vlanId: number): Request {
  return newLink(name, 'vlan', `createVlan ${name} id ${vlanId}`, { link: parentIndex, data: (w) => w.u16(IFLA_VLAN_ID, vlanId) });
}

export function macvlanCreate(name: string, parentIndex: number, mode: MacvlanMode = 'bridge'): Request {
  return newLink(name, 'macvlan', `createMacvlan ${name} ${mode}`, {
    link: parentIndex, data: (w) => w.u32(IFLA_MACVLAN_MODE, MACVLAN_MODES[mode]),
  });
}

export function linkDelete(index: number): Request {
  return { type: RTM_DELLINK, flags: 0, payload: encodeLinkMsg(blankLinkMsg(index)), op: `deleteLink ${index}` };
}

export function linkSet(index: number, change: LinkChange): Request {
  const m = blankLinkMsg(index);
  if (change.up !== undefined) {
    m.flags = change.up ? IFF_UP : 0;
    m.change = IFF_UP;
  }
  if (change.master !== undefined) m.master = change.master;
  if (change.mtu !== undefined) m.mtu = change.mtu;
  if (change.name !== undefined) m.ifname = change.name;
  return { type: RTM_NEWLINK, flags: 0, payload: encodeLinkMsg(m), op: `setLink ${index} ${JSON.stringify(change)}` };
}

// --- addresses and routes -------------------------------------------------------------

const addrText = (a: AddressSpec): string => `${a.address}/${a.prefixLen} dev ${a.index}`;

export const addressAdd = (a: AddressSpec): Request =>
  ({ type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, payload: encodeAddrMsg(addrMsgFromSpec(a)), op: `addAddress ${addrText(a)}` });
export const addressReplace = (a: AddressSpec): Request =>
  ({ type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_REPLACE, payload: encodeAddrMsg(addrMsgFromSpec(a)), op: `replaceAddress ${addrText(a)}` });
export const addressDelete = (a: AddressSpec): Request =>
  ({ type: RTM_DELADDR, flags: 0, payload: encodeAddrMsg(addrMsgFromSpec(a, true)), op: `deleteAddress ${addrText(a)}` });

const routeText = (r: RouteSpec): string =>
  `${r.dst ?? (r.family === 4 ? '0.0.0.0' : '::')}/${r.dstLen}${r.table !== undefined ? ` table ${r.table}` : ''}`;

export const routeAdd = (r: RouteSpec): Request =>
  ({ type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_EXCL, payload: encodeRouteMsg(routeMsgFromSpec(r)), op: `addRoute ${routeText(r)}` });
export const routeReplace = (r: RouteSpec): Request =>
  ({ type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_REPLACE, payload: encodeRouteMsg(routeMsgFromSpec(r)), op: `replaceRoute ${routeText(r)}` });
export const routeDelete = (r: RouteSpec): Request =>
  ({ type: RTM_DELROUTE, flags: 0, payload: encodeRouteMsg(routeMsgFromSpec(r, true)), op: `deleteRoute ${routeText(r)}` });
