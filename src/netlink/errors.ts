// Errors of the netlink layer: kernel refusals (NetlinkError, from NLMSG_ERROR/NLMSG_DONE)
// and malformed input (NetlinkDecodeError, from the codec).
import { constants } from 'node:os';

const codeByErrno = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) {
  // Several names share a number (EAGAIN/EWOULDBLOCK); keep the first, canonical one.
  if (!codeByErrno.has(num)) codeByErrno.set(num, name);
}

/** 'ENODEV' for 19; 'E<n>' for numbers Node does not know. */
export function errnoCode(errno: number): string {
  return codeByErrno.get(errno) ?? `E${errno}`;
}

export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Positive errno. */
  readonly errno: number;
  readonly code: string;
  /** The kernel's extended-ACK text (NLMSGERR_ATTR_MSG), when it gave one. */
  readonly extAck: string | undefined;
  /** Byte offset of the offending attribute in our request (NLMSGERR_ATTR_OFFS). */
  readonly offset: number | undefined;
  readonly seq: number;
  /** What we asked for, e.g. 'addAddress 192.0.2.1/24 dev 3'; for messages only. */
  readonly operation: string | undefined;

  constructor(init: { errno: number; seq: number; extAck?: string; offset?: number; operation?: string }) {
    const code = errnoCode(init.errno);
    const what = init.operation ? `${init.operation}: ` : '';
    super(`${what}${code}${init.extAck ? ` (${init.extAck})` : ''}`);
    this.errno = init.errno;
    this.code = code;
    this.extAck = init.extAck;
    this.offset = init.offset;
    this.seq = init.seq;
    this.operation = init.operation;
  }
}

/** Input that is not a well-formed netlink message; thrown by every decoder, nothing else is. */
export class NetlinkDecodeError extends Error {
  override readonly name = 'NetlinkDecodeError';
}
