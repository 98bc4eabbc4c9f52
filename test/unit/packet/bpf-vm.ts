// A small classic-BPF interpreter written from the kernel's documented semantics
// (Documentation/networking/filter.rst), so unit tests can run our programs on real frames.
// Out-of-bounds loads end the program with 0 (drop), as the kernel does.
import type { SockFilter } from '../../../src/packet/bpf.js';

export function runBpf(prog: readonly SockFilter[], pkt: Uint8Array): number {
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  const load = (off: number, size: number): number | undefined => {
    if (off < 0 || off + size > pkt.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (pkt[off + i] as number);
    return v >>> 0;
  };
  for (let pc = 0; pc < prog.length; pc++) {
    const ins = prog[pc] as SockFilter;
    const cls = ins.code & 0x07;
    const size = [4, 2, 1, 0][(ins.code >> 3) & 0x03] ?? 0;
    const mode = ins.code & 0xe0;
    const src = ins.code & 0x08 ? x : ins.k;
    switch (cls) {
      case 0x00: // LD
      case 0x01: { // LDX
        let v: number | undefined;
        if (mode === 0x00) v = ins.k;
        else if (mode === 0x20) v = load(ins.k, size);
        else if (mode === 0x40) v = load(x + ins.k, size);
        else if (mode === 0x60) v = mem[ins.k & 15];
        else if (mode === 0x80) v = pkt.length;
        else if (mode === 0xa0 && cls === 0x01) {
          const b = load(ins.k, 1);
          v = b === undefined ? undefined : (b & 0x0f) * 4;
        } else throw new Error(`unsupported load ${ins.code.toString(16)}`);
        if (v === undefined) return 0;
        if (cls === 0x00) a = v >>> 0;
        else x = v >>> 0;
        break;
      }
      case 0x02: mem[ins.k & 15] = a; break; // ST
      case 0x03: mem[ins.k & 15] = x; break; // STX
      case 0x04: { // ALU
        const op = ins.code & 0xf0;
        const ops: Record<number, () => number> = {
          0x00: () => a + src, 0x10: () => a - src, 0x20: () => Math.imul(a, src),
          0x30: () => (src === 0 ? NaN : Math.floor(a / src)), 0x40: () => a | src, 0x50: () => a & src,
          0x60: () => a << src, 0x70: () => a >>> src, 0x80: () => -a, 0xa0: () => a ^ src,
        };
        const f = ops[op];
        if (!f) throw new Error(`unsupported alu ${ins.code.toString(16)}`);
        const r = f();
        if (Number.isNaN(r)) return 0;
        a = r >>> 0;
        break;
      }
      case 0x05: { // JMP
        const op = ins.code & 0xf0;
        if (op === 0x00) { pc += ins.k; break; }
        const s = src >>> 0;
        const cond = op === 0x10 ? a === s : op === 0x20 ? a > s : op === 0x30 ? a >= s : op === 0x40 ? (a & s) !== 0 : undefined;
        if (cond === undefined) throw new Error(`unsupported jmp ${ins.code.toString(16)}`);
        pc += cond ? ins.jt : ins.jf;
        break;
      }
      case 0x06: // RET
        return ((ins.code & 0x18) === 0x10 ? a : ins.k) >>> 0;
      case 0x07: // MISC
        if (ins.code & 0x80) a = x;
        else x = a;
        break;
    }
  }
  throw new Error('BPF program fell off the end');
}
