// The classic BPF program for an armed trigger socket (issue 14): an rtnetlink socket that
// joins RTNLGRP_LINK but lets through only the notification that a member has become
// unusable — RTM_NEWLINK, AF_UNSPEC, for one ifindex, with IFF_UP, IFF_RUNNING or
// IFF_LOWER_UP clear (the complement of engine/link-usable.ts). The kernel runs it before
// queueing, so no parsing is needed in native code: any datagram that arrives is the trigger.
//
// Classic BPF loads are big-endian; netlink headers are host-order (little-endian on every
// target ipmpd builds for), so the constants compared against are byte-swapped here.
import { endianness } from 'node:os';
import {
  ACCEPT_ALL, BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W,
  assemble, encodeProgram, type AsmLine, type SockFilter,
} from '../packet/bpf.js';
import { AF_UNSPEC, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, RTM_NEWLINK } from './constants.js';

// nlmsghdr (16 bytes) then ifinfomsg: family u8 @16, pad, type u16, index s32 @20, flags u32 @24.
const OFF_TYPE = 4;
const OFF_FAMILY = 16;
const OFF_INDEX = 20;
const OFF_FLAGS = 24;
const USABLE = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;

const swap16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);
const swap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0;

/** The program's instructions (for tests and `encodeProgram`). */
export function carrierLossProgram(ifindex: number): SockFilter[] {
  if (endianness() !== 'LE') throw new Error('the carrier-loss filter is written for little-endian hosts');
  if (!Number.isInteger(ifindex) || ifindex <= 0) throw new RangeError(`ifindex must be a positive integer, got ${ifindex}`);
  const lines: AsmLine[] = [
    { code: BPF_LD | BPF_H | BPF_ABS, k: OFF_TYPE },
    { code: BPF_JMP | BPF_JEQ | BPF_K, k: swap16(RTM_NEWLINK), jt: 0, jf: 'drop' },
    { code: BPF_LD | BPF_B | BPF_ABS, k: OFF_FAMILY },
    { code: BPF_JMP | BPF_JEQ | BPF_K, k: AF_UNSPEC, jt: 0, jf: 'drop' },
    { code: BPF_LD | BPF_W | BPF_ABS, k: OFF_INDEX },
    { code: BPF_JMP | BPF_JEQ | BPF_K, k: swap32(ifindex), jt: 0, jf: 'drop' },
    { code: BPF_LD | BPF_W | BPF_ABS, k: OFF_FLAGS },
    { code: BPF_ALU | BPF_AND | BPF_K, k: swap32(USABLE) },
    // All three set: the link is usable, not a trigger.
    { code: BPF_JMP | BPF_JEQ | BPF_K, k: swap32(USABLE), jt: 'drop', jf: 0 },
    { code: BPF_RET | BPF_K, k: ACCEPT_ALL },
    { label: 'drop' },
    { code: BPF_RET | BPF_K, k: 0 },
  ];
  return assemble(lines);
}

/** SO_ATTACH_FILTER value for a trigger socket watching `ifindex`. */
export function carrierLossFilter(ifindex: number): Buffer {
  return encodeProgram(carrierLossProgram(ifindex));
}
