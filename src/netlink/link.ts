// RTM_*LINK: struct ifinfomsg (16 bytes) + IFLA_* attributes.
import {
  IFF_LOWER_UP, IFF_RUNNING, IFF_UP, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_CARRIER, IFLA_EXT_MASK, IFLA_IFNAME,
  IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MASTER, IFLA_MTU, IFLA_OPERSTATE, IFLA_VLAN_ID,
  OPERSTATES,
} from './constants.js';
import { type Attr, AttrWriter, attrKind, parseAttrs, readI32, readString, readU16, readU32, readU8, u32Of, u8Of, writeI32, writeU16, writeU32 } from './attrs.js';
import { NetlinkDecodeError } from './errors.js';
import { macText } from './text.js';
import type { Link } from './types.js';

export const IFINFOMSG_LEN = 16;

export interface LinkMsg {
  family: number;
  /** ARPHRD_* */
  ifType: number;
  index: number;
  flags: number;
  change: number;
  ifname?: string;
  mtu?: number;
  address?: Buffer;
  broadcast?: Buffer;
  link?: number;
  master?: number;
  operstate?: number;
  carrier?: number;
  /** IFLA_LINKINFO children, raw and in order (kind-specific data is decoded on demand). */
  linkinfo?: Attr[];
  extMask?: number;
  /** Attributes we do not interpret, kept byte for byte. */
  unknown: Attr[];
}

export function decodeLinkMsg(payload: Buffer): LinkMsg {
  if (payload.length < IFINFOMSG_LEN) throw new NetlinkDecodeError(`ifinfomsg truncated (${payload.length} bytes)`);
  const m: LinkMsg = {
    family: readU8(payload, 0),
    ifType: readU16(payload, 2),
    index: readI32(payload, 4),
    flags: readU32(payload, 8),
    change: readU32(payload, 12),
    unknown: [],
  };
  for (const a of parseAttrs(payload, IFINFOMSG_LEN)) {
    switch (attrKind(a)) {
      case IFLA_IFNAME: m.ifname = readString(a.data); break;
      case IFLA_MTU: m.mtu = u32Of(a, 'IFLA_MTU'); break;
      case IFLA_ADDRESS: m.address = Buffer.from(a.data); break;
      case IFLA_BROADCAST: m.broadcast = Buffer.from(a.data); break;
      case IFLA_LINK: m.link = u32Of(a, 'IFLA_LINK'); break;
      case IFLA_MASTER: m.master = u32Of(a, 'IFLA_MASTER'); break;
      case IFLA_OPERSTATE: m.operstate = u8Of(a, 'IFLA_OPERSTATE'); break;
      case IFLA_CARRIER: m.carrier = u8Of(a, 'IFLA_CARRIER'); break;
      case IFLA_LINKINFO: m.linkinfo = parseAttrs(a.data).map((c) => ({ type: c.type, data: Buffer.from(c.data) })); break;
      case IFLA_EXT_MASK: m.extMask = u32Of(a, 'IFLA_EXT_MASK'); break;
      default: m.unknown.push({ type: a.type, data: Buffer.from(a.data) });
    }
  }
  return m;
}

export function encodeLinkMsg(m: LinkMsg): Buffer {
  const head = Buffer.alloc(IFINFOMSG_LEN);
  head[0] = m.family;
  writeU16(head, m.ifType, 2);
  writeI32(head, m.index, 4);
  writeU32(head, m.flags, 8);
  writeU32(head, m.change, 12);
  const w = new AttrWriter();
  if (m.ifname !== undefined) w.str(IFLA_IFNAME, m.ifname);
  if (m.mtu !== undefined) w.u32(IFLA_MTU, m.mtu);
  if (m.address !== undefined) w.raw(IFLA_ADDRESS, m.address);
  if (m.broadcast !== undefined) w.raw(IFLA_BROADCAST, m.broadcast);
  if (m.link !== undefined) w.u32(IFLA_LINK, m.link);
  if (m.master !== undefined) w.u32(IFLA_MASTER, m.master);
  if (m.operstate !== undefined) w.u8(IFLA_OPERSTATE, m.operstate);
  if (m.carrier !== undefined) w.u8(IFLA_CARRIER, m.carrier);
  if (m.linkinfo !== undefined) w.nested(IFLA_LINKINFO, (n) => n.attrs(m.linkinfo ?? []));
  if (m.extMask !== undefined) w.u32(IFLA_EXT_MASK, m.extMask);
  w.attrs(m.unknown);
  return Buffer.concat([head, w.toBuffer()]);
}

export function linkKind(m: LinkMsg): string | undefined {
  const k = m.linkinfo?.find((a) => attrKind(a) === IFLA_INFO_KIND);
  return k ? readString(k.data) : undefined;
}

/** IFLA_INFO_DATA children, decoded from the raw LINKINFO. */
export function linkInfoData(m: LinkMsg): Attr[] | undefined {
  const d = m.linkinfo?.find((a) => attrKind(a) === IFLA_INFO_DATA);
  return d ? parseAttrs(d.data) : undefined;
}

export function toLink(m: LinkMsg): Link {
  const kind = linkKind(m);
  const link: Link = {
    index: m.index,
    name: m.ifname ?? '',
    flags: m.flags,
    up: (m.flags & IFF_UP) !== 0,
    running: (m.flags & IFF_RUNNING) !== 0,
    lowerUp: (m.flags & IFF_LOWER_UP) !== 0,
    operstate: m.operstate === undefined ? 'unknown' : (OPERSTATES[m.operstate] ?? `operstate-${m.operstate}`),
    carrier: m.carrier === undefined ? undefined : m.carrier !== 0,
    mtu: m.mtu ?? 0,
    mac: m.address && m.address.length > 0 ? macText(m.address) : undefined,
    master: m.master || undefined,
    kind,
  };
  if (m.link !== undefined && m.link !== m.index) link.parentIndex = m.link;
  if (kind === 'vlan') {
    const id = linkInfoData(m)?.find((a) => attrKind(a) === IFLA_VLAN_ID);
    if (id) link.vlanId = readU16(id.data, 0, 'IFLA_VLAN_ID');
  }
  return link;
}

export const decodeLink = (payload: Buffer): Link => toLink(decodeLinkMsg(payload));

/** An empty ifinfomsg to fill for requests. */
export const blankLinkMsg = (index = 0): LinkMsg => ({ family: 0, ifType: 0, index, flags: 0, change: 0, unknown: [] });
