// RTM_*ROUTE: struct rtmsg (12 bytes) + RTA_* attributes, RTA_MULTIPATH as rtnexthop records.
import {
  RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTA_DST, RTA_GATEWAY, RTA_IIF, RTA_MULTIPATH,
  RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE, RTN_UNICAST, RTPROT_STATIC,
} from './constants.js';
import {
  type Attr, AttrWriter, align4, attrKind, encodeAttrs, parseAttrs, readI32, readU16, readU32, readU8, u32Of, writeI32,
  writeU16, writeU32,
} from './attrs.js';
import { NetlinkDecodeError } from './errors.js';
import { afOf, familyOf, ipText, ipToBytes } from './text.js';
import type { Nexthop, Route, RouteSpec } from './types.js';

export const RTMSG_LEN = 12;
const RTNH_LEN = 8;

export interface RtNexthop {
  flags: number;
  /** rtnh_hops: weight - 1. */
  hops: number;
  ifindex: number;
  gateway?: Buffer;
  unknown: Attr[];
}

export interface RouteMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** rtm_table (8 bits); RTA_TABLE carries the full number. */
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
  dst?: Buffer;
  src?: Buffer;
  iif?: number;
  oif?: number;
  gateway?: Buffer;
  priority?: number;
  prefsrc?: Buffer;
  table32?: number;
  multipath?: RtNexthop[];
  unknown: Attr[];
}

function decodeMultipath(b: Buffer): RtNexthop[] {
  const out: RtNexthop[] = [];
  let off = 0;
  while (off < b.length) {
    const len = readU16(b, off, 'rtnexthop');
    if (len < RTNH_LEN || off + len > b.length) throw new NetlinkDecodeError(`rtnh_len ${len} invalid at ${off}`);
    const nh: RtNexthop = { flags: readU8(b, off + 2), hops: readU8(b, off + 3), ifindex: readI32(b, off + 4), unknown: [] };
    for (const a of parseAttrs(b, off + RTNH_LEN, off + len)) {
      if (attrKind(a) === RTA_GATEWAY) nh.gateway = Buffer.from(a.data);
      else nh.unknown.push({ type: a.type, data: Buffer.from(a.data) });
    }
    out.push(nh);
    off = Math.min(off + align4(len), b.length);
  }
  return out;
}

function encodeMultipath(list: readonly RtNexthop[]): Buffer {
  return Buffer.concat(list.map((nh) => {
    const w = new AttrWriter();
    if (nh.gateway !== undefined) w.raw(RTA_GATEWAY, nh.gateway);
    const attrs = Buffer.concat([w.toBuffer(), encodeAttrs(nh.unknown)]);
    const head = Buffer.alloc(RTNH_LEN);
    writeU16(head, RTNH_LEN + attrs.length, 0);
    head[2] = nh.flags;
    head[3] = nh.hops;
    writeI32(head, nh.ifindex, 4);
    return Buffer.concat([head, attrs]);
  }));
}

export function decodeRouteMsg(payload: Buffer): RouteMsg {
  if (payload.length < RTMSG_LEN) throw new NetlinkDecodeError(`rtmsg truncated (${payload.length} bytes)`);
  const m: RouteMsg = {
    family: readU8(payload, 0), dstLen: readU8(payload, 1), srcLen: readU8(payload, 2), tos: readU8(payload, 3),
    table: readU8(payload, 4), protocol: readU8(payload, 5), scope: readU8(payload, 6), type: readU8(payload, 7),
    flags: readU32(payload, 8), unknown: [],
  };
  for (const a of parseAttrs(payload, RTMSG_LEN)) {
    switch (attrKind(a)) {
      case RTA_DST: m.dst = Buffer.from(a.data); break;
      case RTA_SRC: m.src = Buffer.from(a.data); break;
      case RTA_IIF: m.iif = u32Of(a, 'RTA_IIF'); break;
      case RTA_OIF: m.oif = u32Of(a, 'RTA_OIF'); break;
      case RTA_GATEWAY: m.gateway = Buffer.from(a.data); break;
      case RTA_PRIORITY: m.priority = u32Of(a, 'RTA_PRIORITY'); break;
      case RTA_PREFSRC: m.prefsrc = Buffer.from(a.data); break;
      case RTA_TABLE: m.table32 = u32Of(a, 'RTA_TABLE'); break;
      case RTA_MULTIPATH: m.multipath = decodeMultipath(a.data); break;
      default: m.unknown.push({ type: a.type, data: Buffer.from(a.data) });
    }
  }
  return m;
}

export function encodeRouteMsg(m: RouteMsg): Buffer {
  const head = Buffer.alloc(RTMSG_LEN);
  [m.family, m.dstLen, m.srcLen, m.tos, m.table, m.protocol, m.scope, m.type].forEach((v, i) => { head[i] = v; });
  writeU32(head, m.flags, 8);
  const w = new AttrWriter();
  if (m.table32 !== undefined) w.u32(RTA_TABLE, m.table32);
  if (m.dst !== undefined) w.raw(RTA_DST, m.dst);
  if (m.src !== undefined) w.raw(RTA_SRC, m.src);
  if (m.iif !== undefined) w.u32(RTA_IIF, m.iif);
  if (m.priority !== undefined) w.u32(RTA_PRIORITY, m.priority);
  if (m.prefsrc !== undefined) w.raw(RTA_PREFSRC, m.prefsrc);
  if (m.gateway !== undefined) w.raw(RTA_GATEWAY, m.gateway);
  if (m.oif !== undefined) w.u32(RTA_OIF, m.oif);
  if (m.multipath !== undefined) w.raw(RTA_MULTIPATH, encodeMultipath(m.multipath));
  w.attrs(m.unknown);
  return Buffer.concat([head, w.toBuffer()]);
}

export function toRoute(m: RouteMsg): Route | undefined {
  const family = familyOf(m.family);
  if (family === undefined) return undefined;
  const r: Route = {
    family,
    table: m.table32 ?? m.table,
    protocol: m.protocol,
    scope: m.scope,
    type: m.type,
    dst: m.dst ? ipText(m.dst, 'RTA_DST') : undefined,
    dstLen: m.dstLen,
  };
  if (m.gateway) r.gateway = ipText(m.gateway, 'RTA_GATEWAY');
  if (m.oif !== undefined) r.oif = m.oif;
  if (m.prefsrc) r.prefsrc = ipText(m.prefsrc, 'RTA_PREFSRC');
  if (m.priority !== undefined) r.priority = m.priority;
  if (m.multipath) {
    r.nexthops = m.multipath.map((nh) => {
      const out: Nexthop = { ifindex: nh.ifindex, weight: nh.hops + 1 };
      if (nh.gateway) out.gateway = ipText(nh.gateway, 'rtnh RTA_GATEWAY');
      return out;
    });
  }
  if (m.tos !== 0) r.tos = m.tos;
  return r;
}

export const decodeRoute = (payload: Buffer): Route | undefined => toRoute(decodeRouteMsg(payload));

/**
 * Request body for RTM_NEWROUTE / RTM_DELROUTE. Defaults (issue contract): table main,
 * protocol static, type unicast, scope link without any gateway else universe. For deletes,
 * unset protocol/scope/type are wildcards, as `ip route del` sends them.
 */
export function routeMsgFromSpec(s: RouteSpec, forDelete = false): RouteMsg {
  const table = s.table ?? RT_TABLE_MAIN;
  const hasGateway = s.gateway !== undefined || (s.nexthops ?? []).some((n) => n.gateway !== undefined);
  const m: RouteMsg = {
    family: afOf(s.family),
    dstLen: s.dstLen,
    srcLen: 0,
    tos: s.tos ?? 0,
    table: table < 256 ? table : 0,
    protocol: s.protocol ?? (forDelete ? 0 : RTPROT_STATIC),
    scope: s.scope ?? (forDelete ? RT_SCOPE_NOWHERE : hasGateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK),
    type: s.type ?? (forDelete ? 0 : RTN_UNICAST),
    flags: 0,
    unknown: [],
  };
  if (table >= 256) m.table32 = table;
  if (s.dst !== undefined && s.dstLen > 0) m.dst = ipToBytes(s.family, s.dst);
  if (s.gateway !== undefined) m.gateway = ipToBytes(s.family, s.gateway);
  if (s.oif !== undefined) m.oif = s.oif;
  if (s.prefsrc !== undefined) m.prefsrc = ipToBytes(s.family, s.prefsrc);
  if (s.priority !== undefined) m.priority = s.priority;
  if (s.nexthops !== undefined) {
    m.multipath = s.nexthops.map((nh) => {
      if (!Number.isInteger(nh.weight) || nh.weight < 1 || nh.weight > 256) throw new RangeError(`nexthop weight ${nh.weight} not in 1..256`);
      const out: RtNexthop = { flags: 0, hops: nh.weight - 1, ifindex: nh.ifindex, unknown: [] };
      if (nh.gateway !== undefined) out.gateway = ipToBytes(s.family, nh.gateway);
      return out;
    });
  }
  return m;
}
