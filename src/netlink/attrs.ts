// Netlink attributes (struct nlattr): a 4-byte TLV header, payload, padding to 4 bytes.
// Decoding is bounds-checked and throws only NetlinkDecodeError; integers are native-endian.
import { endianness } from 'node:os';
import { NLA_F_NESTED, NLA_TYPE_MASK } from './constants.js';
import { NetlinkDecodeError } from './errors.js';

export const NLA_HDRLEN = 4;
const LE = endianness() === 'LE';

export const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute as on the wire; `type` keeps the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
export interface Attr {
  type: number;
  data: Buffer;
}

export const attrKind = (a: Attr): number => a.type & NLA_TYPE_MASK;
export const isNested = (a: Attr): boolean => (a.type & NLA_F_NESTED) !== 0;

/** Splits buf[start, end) into attributes. Trailing bytes shorter than a header are an error. */
export function parseAttrs(buf: Buffer, start = 0, end = buf.length): Attr[] {
  const out: Attr[] = [];
  let off = start;
  while (off < end) {
    if (end - off < NLA_HDRLEN) throw new NetlinkDecodeError(`attribute header truncated at ${off}`);
    const len = LE ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
    const type = LE ? buf.readUInt16LE(off + 2) : buf.readUInt16BE(off + 2);
    if (len < NLA_HDRLEN) throw new NetlinkDecodeError(`attribute length ${len} < 4 at ${off}`);
    if (off + len > end) throw new NetlinkDecodeError(`attribute length ${len} overruns buffer at ${off}`);
    out.push({ type, data: buf.subarray(off + NLA_HDRLEN, off + len) });
    // Always advances by at least 4, so the loop ends; the last attribute may lack padding.
    off = Math.min(off + align4(len), end);
  }
  return out;
}

export function encodeAttr(type: number, payload: Buffer): Buffer {
  const len = NLA_HDRLEN + payload.length;
  if (len > 0xffff) throw new RangeError(`attribute ${type & NLA_TYPE_MASK} too long (${len} bytes)`);
  const out = Buffer.alloc(align4(len));
  writeU16(out, len, 0);
  writeU16(out, type, 2);
  payload.copy(out, NLA_HDRLEN);
  return out;
}

export const encodeAttrs = (attrs: readonly Attr[]): Buffer =>
  Buffer.concat(attrs.map((a) => encodeAttr(a.type, a.data)));

/** Builds a list of attributes; nested lists become one attribute. */
export class AttrWriter {
  private readonly parts: Buffer[] = [];

  raw(type: number, payload: Buffer): this { this.parts.push(encodeAttr(type, payload)); return this; }
  u8(type: number, v: number): this { return this.raw(type, Buffer.from([v & 0xff])); }
  u16(type: number, v: number): this { const b = Buffer.alloc(2); writeU16(b, v, 0); return this.raw(type, b); }
  u32(type: number, v: number): this { const b = Buffer.alloc(4); writeU32(b, v, 0); return this.raw(type, b); }
  /** NUL-terminated string, as the kernel's nla_put_string. */
  str(type: number, s: string): this { return this.raw(type, Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)])); }
  nested(type: number, fill: (w: AttrWriter) => void): this {
    const inner = new AttrWriter();
    fill(inner);
    return this.raw(type, inner.toBuffer());
  }
  attrs(list: readonly Attr[]): this { for (const a of list) this.raw(a.type, a.data); return this; }
  toBuffer(): Buffer { return Buffer.concat(this.parts); }
}

// Native-endian scalar access with explicit length checks, so a short payload is a
// NetlinkDecodeError rather than a RangeError from Buffer.

function need(b: Buffer, off: number, n: number, what: string): void {
  if (off + n > b.length) throw new NetlinkDecodeError(`${what}: need ${n} bytes at ${off}, have ${b.length - off}`);
}
export function readU8(b: Buffer, off = 0, what = 'u8'): number { need(b, off, 1, what); return b.readUInt8(off); }
export function readU16(b: Buffer, off = 0, what = 'u16'): number {
  need(b, off, 2, what);
  return LE ? b.readUInt16LE(off) : b.readUInt16BE(off);
}
export function readU32(b: Buffer, off = 0, what = 'u32'): number {
  need(b, off, 4, what);
  return LE ? b.readUInt32LE(off) : b.readUInt32BE(off);
}
export function readI32(b: Buffer, off = 0, what = 'i32'): number {
  need(b, off, 4, what);
  return LE ? b.readInt32LE(off) : b.readInt32BE(off);
}
export function writeU16(b: Buffer, v: number, off: number): void {
  if (LE) b.writeUInt16LE(v & 0xffff, off); else b.writeUInt16BE(v & 0xffff, off);
}
export function writeU32(b: Buffer, v: number, off: number): void {
  if (LE) b.writeUInt32LE(v >>> 0, off); else b.writeUInt32BE(v >>> 0, off);
}
export function writeI32(b: Buffer, v: number, off: number): void {
  if (LE) b.writeInt32LE(v | 0, off); else b.writeInt32BE(v | 0, off);
}

/** Attribute payload as a string: up to the first NUL (the kernel always adds one). */
export function readString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

export const u32Of = (a: Attr, what: string): number => readU32(a.data, 0, what);
export const u8Of = (a: Attr, what: string): number => readU8(a.data, 0, what);
