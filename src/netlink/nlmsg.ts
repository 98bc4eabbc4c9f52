// struct nlmsghdr framing: building requests and splitting datagrams into messages, plus
// the payloads of the control messages NLMSG_ERROR and NLMSG_DONE.
import { NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS } from './constants.js';
import { align4, attrKind, parseAttrs, readI32, readString, readU16, readU32, writeU16, writeU32 } from './attrs.js';
import { NetlinkDecodeError } from './errors.js';

export const NLMSG_HDRLEN = 16;

export interface NlMsg {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Bytes after the 16-byte header, up to nlmsg_len. */
  payload: Buffer;
}

export function encodeNlMsg(type: number, flags: number, seq: number, payload: Buffer, pid = 0): Buffer {
  const len = NLMSG_HDRLEN + payload.length;
  const out = Buffer.alloc(align4(len));
  writeU32(out, len, 0);
  writeU16(out, type, 4);
  writeU16(out, flags, 6);
  writeU32(out, seq, 8);
  writeU32(out, pid, 12);
  payload.copy(out, NLMSG_HDRLEN);
  return out;
}

/** All messages in one datagram; any malformed length is a NetlinkDecodeError. */
export function parseNlMsgs(buf: Buffer): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLMSG_HDRLEN) throw new NetlinkDecodeError(`nlmsghdr truncated at ${off}`);
    const len = readU32(buf, off);
    if (len < NLMSG_HDRLEN) throw new NetlinkDecodeError(`nlmsg_len ${len} < 16 at ${off}`);
    if (off + len > buf.length) throw new NetlinkDecodeError(`nlmsg_len ${len} overruns datagram at ${off}`);
    out.push({
      type: readU16(buf, off + 4),
      flags: readU16(buf, off + 6),
      seq: readU32(buf, off + 8),
      pid: readU32(buf, off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off = Math.min(off + align4(len), buf.length);
  }
  return out;
}

export interface NlErr {
  /** Positive errno; 0 for an ACK. */
  errno: number;
  extAck: string | undefined;
  offset: number | undefined;
}

function extAckOf(tlvs: Buffer): Pick<NlErr, 'extAck' | 'offset'> {
  let extAck: string | undefined;
  let offset: number | undefined;
  for (const a of parseAttrs(tlvs)) {
    if (attrKind(a) === NLMSGERR_ATTR_MSG) extAck = readString(a.data);
    else if (attrKind(a) === NLMSGERR_ATTR_OFFS) offset = readU32(a.data, 0, 'NLMSGERR_ATTR_OFFS');
  }
  return { extAck, offset };
}

/** NLMSG_ERROR payload: int error, the echoed request (header only when capped), ext-ack TLVs. */
export function decodeErrorMsg(m: NlMsg): NlErr {
  const error = readI32(m.payload, 0, 'nlmsgerr.error');
  if (m.payload.length < 4 + NLMSG_HDRLEN) throw new NetlinkDecodeError('nlmsgerr without echoed header');
  const echoedLen = readU32(m.payload, 4);
  const echoed = (m.flags & NLM_F_CAPPED) !== 0 ? NLMSG_HDRLEN : echoedLen;
  if (echoed < NLMSG_HDRLEN || 4 + echoed > m.payload.length) throw new NetlinkDecodeError('nlmsgerr echo overruns message');
  const tlvStart = 4 + align4(echoed);
  const ext = (m.flags & NLM_F_ACK_TLVS) !== 0 && tlvStart < m.payload.length
    ? extAckOf(m.payload.subarray(tlvStart))
    : { extAck: undefined, offset: undefined };
  return { errno: error === 0 ? 0 : -error, ...ext };
}

/** NLMSG_DONE payload: int error (0 normally), then ext-ack TLVs when flagged. */
export function decodeDoneMsg(m: NlMsg): NlErr {
  if (m.payload.length < 4) return { errno: 0, extAck: undefined, offset: undefined };
  const error = readI32(m.payload, 0, 'done.error');
  const ext = (m.flags & NLM_F_ACK_TLVS) !== 0 && m.payload.length > 4
    ? extAckOf(m.payload.subarray(4))
    : { extAck: undefined, offset: undefined };
  return { errno: error === 0 ? 0 : -error, ...ext };
}
