// RTM_*NEIGH: struct ndmsg (12 bytes) + NDA_* attributes. Read-only: used by tests and checks.
import { NDA_DST, NDA_LLADDR } from './constants.js';
import { type Attr, AttrWriter, attrKind, parseAttrs, readI32, readU16, readU8, writeI32, writeU16 } from './attrs.js';
import { NetlinkDecodeError } from './errors.js';
import { familyOf, ipText, macText } from './text.js';
import type { Neighbour } from './types.js';

export const NDMSG_LEN = 12;

export interface NeighMsg {
  family: number;
  index: number;
  state: number;
  flags: number;
  type: number;
  dst?: Buffer;
  lladdr?: Buffer;
  unknown: Attr[];
}

export function decodeNeighMsg(payload: Buffer): NeighMsg {
  if (payload.length < NDMSG_LEN) throw new NetlinkDecodeError(`ndmsg truncated (${payload.length} bytes)`);
  const m: NeighMsg = {
    family: readU8(payload, 0), index: readI32(payload, 4), state: readU16(payload, 8),
    flags: readU8(payload, 10), type: readU8(payload, 11), unknown: [],
  };
  for (const a of parseAttrs(payload, NDMSG_LEN)) {
    if (attrKind(a) === NDA_DST) m.dst = Buffer.from(a.data);
    else if (attrKind(a) === NDA_LLADDR) m.lladdr = Buffer.from(a.data);
    else m.unknown.push({ type: a.type, data: Buffer.from(a.data) });
  }
  return m;
}

export function encodeNeighMsg(m: NeighMsg): Buffer {
  const head = Buffer.alloc(NDMSG_LEN);
  head[0] = m.family;
  writeI32(head, m.index, 4);
  writeU16(head, m.state, 8);
  head[10] = m.flags;
  head[11] = m.type;
  const w = new AttrWriter();
  if (m.dst !== undefined) w.raw(NDA_DST, m.dst);
  if (m.lladdr !== undefined) w.raw(NDA_LLADDR, m.lladdr);
  w.attrs(m.unknown);
  return Buffer.concat([head, w.toBuffer()]);
}

export function toNeighbour(m: NeighMsg): Neighbour | undefined {
  const family = familyOf(m.family);
  if (family === undefined || m.dst === undefined) return undefined;
  return {
    family,
    index: m.index,
    address: ipText(m.dst, 'NDA_DST'),
    mac: m.lladdr && m.lladdr.length > 0 ? macText(m.lladdr) : undefined,
    state: m.state,
  };
}

export const decodeNeighbour = (payload: Buffer): Neighbour | undefined => toNeighbour(decodeNeighMsg(payload));
