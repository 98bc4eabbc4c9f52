// RTM_*ADDR: struct ifaddrmsg (8 bytes) + IFA_* attributes.
import {
  AF_INET, IFA_ADDRESS, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, INFINITY_LIFE_TIME,
  RT_SCOPE_UNIVERSE,
} from './constants.js';
import { type Attr, AttrWriter, attrKind, parseAttrs, readString, readU32, readU8, u32Of, writeU32 } from './attrs.js';
import { NetlinkDecodeError } from './errors.js';
import { afOf, familyOf, ipText, ipToBytes } from './text.js';
import type { Address, AddressSpec } from './types.js';

export const IFADDRMSG_LEN = 8;

export interface AddrCacheInfo {
  preferred: number;
  valid: number;
  cstamp: number;
  tstamp: number;
}

export interface AddrMsg {
  family: number;
  prefixLen: number;
  /** The 8-bit ifa_flags; the full set is in flags32 (IFA_FLAGS) on kernels ≥ 3.14. */
  flags: number;
  scope: number;
  index: number;
  address?: Buffer;
  local?: Buffer;
  label?: string;
  broadcast?: Buffer;
  cacheinfo?: AddrCacheInfo;
  flags32?: number;
  unknown: Attr[];
}

export function decodeAddrMsg(payload: Buffer): AddrMsg {
  if (payload.length < IFADDRMSG_LEN) throw new NetlinkDecodeError(`ifaddrmsg truncated (${payload.length} bytes)`);
  const m: AddrMsg = {
    family: readU8(payload, 0),
    prefixLen: readU8(payload, 1),
    flags: readU8(payload, 2),
    scope: readU8(payload, 3),
    index: readU32(payload, 4),
    unknown: [],
  };
  for (const a of parseAttrs(payload, IFADDRMSG_LEN)) {
    switch (attrKind(a)) {
      case IFA_ADDRESS: m.address = Buffer.from(a.data); break;
      case IFA_LOCAL: m.local = Buffer.from(a.data); break;
      case IFA_LABEL: m.label = readString(a.data); break;
      case IFA_BROADCAST: m.broadcast = Buffer.from(a.data); break;
      case IFA_FLAGS: m.flags32 = u32Of(a, 'IFA_FLAGS'); break;
      case IFA_CACHEINFO:
        m.cacheinfo = {
          preferred: readU32(a.data, 0, 'IFA_CACHEINFO'),
          valid: readU32(a.data, 4, 'IFA_CACHEINFO'),
          cstamp: readU32(a.data, 8, 'IFA_CACHEINFO'),
          tstamp: readU32(a.data, 12, 'IFA_CACHEINFO'),
        };
        break;
      default: m.unknown.push({ type: a.type, data: Buffer.from(a.data) });
    }
  }
  return m;
}

export function encodeAddrMsg(m: AddrMsg): Buffer {
  const head = Buffer.alloc(IFADDRMSG_LEN);
  head[0] = m.family;
  head[1] = m.prefixLen;
  head[2] = m.flags & 0xff;
  head[3] = m.scope;
  writeU32(head, m.index, 4);
  const w = new AttrWriter();
  if (m.address !== undefined) w.raw(IFA_ADDRESS, m.address);
  if (m.local !== undefined) w.raw(IFA_LOCAL, m.local);
  if (m.label !== undefined) w.str(IFA_LABEL, m.label);
  if (m.broadcast !== undefined) w.raw(IFA_BROADCAST, m.broadcast);
  if (m.cacheinfo !== undefined) {
    const c = Buffer.alloc(16);
    writeU32(c, m.cacheinfo.preferred, 0);
    writeU32(c, m.cacheinfo.valid, 4);
    writeU32(c, m.cacheinfo.cstamp, 8);
    writeU32(c, m.cacheinfo.tstamp, 12);
    w.raw(IFA_CACHEINFO, c);
  }
  if (m.flags32 !== undefined) w.u32(IFA_FLAGS, m.flags32);
  w.attrs(m.unknown);
  return Buffer.concat([head, w.toBuffer()]);
}

/** The plain view; undefined for families other than IPv4/IPv6. */
export function toAddress(m: AddrMsg): Address | undefined {
  const family = familyOf(m.family);
  if (family === undefined) return undefined;
  const localBytes = m.local ?? m.address;
  if (localBytes === undefined) throw new NetlinkDecodeError('address message without IFA_LOCAL or IFA_ADDRESS');
  const a: Address = {
    family,
    index: m.index,
    prefixLen: m.prefixLen,
    local: ipText(localBytes, 'IFA_LOCAL'),
    address: m.address ? ipText(m.address, 'IFA_ADDRESS') : undefined,
    flags: m.flags32 ?? m.flags,
    scope: m.scope,
  };
  if (m.label !== undefined) a.label = m.label;
  if (m.cacheinfo) {
    a.preferredLft = m.cacheinfo.preferred;
    a.validLft = m.cacheinfo.valid;
  }
  return a;
}

export const decodeAddress = (payload: Buffer): Address | undefined => toAddress(decodeAddrMsg(payload));

/** Request body for RTM_NEWADDR / RTM_DELADDR. IPv4 sends IFA_LOCAL + IFA_ADDRESS like `ip`. */
export function addrMsgFromSpec(s: AddressSpec, forDelete = false): AddrMsg {
  const addr = ipToBytes(s.family, s.address);
  const m: AddrMsg = {
    family: afOf(s.family),
    prefixLen: s.prefixLen,
    flags: (s.flags ?? 0) & 0xff,
    scope: s.scope ?? RT_SCOPE_UNIVERSE,
    index: s.index,
    unknown: [],
  };
  if (m.family === AF_INET) {
    m.local = addr;
    m.address = s.peer !== undefined ? ipToBytes(4, s.peer) : addr;
  } else if (s.peer !== undefined) {
    m.local = addr;
    m.address = ipToBytes(6, s.peer);
  } else {
    m.address = addr;
  }
  if (s.label !== undefined) m.label = s.label;
  if (!forDelete) {
    if (s.flags !== undefined) m.flags32 = s.flags;
    if (s.preferredLft !== undefined || s.validLft !== undefined) {
      m.cacheinfo = {
        preferred: s.preferredLft ?? s.validLft ?? INFINITY_LIFE_TIME,
        valid: s.validLft ?? INFINITY_LIFE_TIME,
        cstamp: 0,
        tstamp: 0,
      };
    }
  }
  return m;
}
