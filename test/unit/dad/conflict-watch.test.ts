// ConflictWatch's decisions and socket bookkeeping, with fake sockets fed real frames.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConflictWatch, PACKET_OUTGOING, type Conflict } from '../../../src/dad/conflict-watch.js';
import type { ClaimSocketSpec } from '../../../src/dad/sockets.js';
import { buildArpRequest, buildGratuitousArp } from '../../../src/packet/arp.js';
import { buildUnsolicitedNa } from '../../../src/packet/ndisc.js';
import { silentLogger } from '../../../src/log.js';
import type { Socket, SocketEvents } from '../../../src/sys/socket.js';

class FakeSocket extends EventEmitter<SocketEvents> {
  started = false;
  closed = false;
  constructor(readonly spec: ClaimSocketSpec) { super(); }
  start(): void { this.started = true; }
  close(): void { this.closed = true; }
  deliver(data: Buffer, pkttype = 1): void {
    this.emit('message', { data, from: { family: 'packet', protocol: 0, ifindex: this.spec.ifindex, pkttype }, truncated: false, timestampNs: undefined });
  }
}

const NIC0 = { ifname: 'eth0', ifindex: 2, mac: '02:00:00:00:00:10' };
const NIC1 = { ifname: 'eth1', ifindex: 3, mac: '02:00:00:00:00:11' };
const INTRUDER = '02:00:00:00:00:99';
const V4 = '192.0.2.100';
const V6 = '2001:db8::100';

function setup(opts: { failIfindex?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const conflicts: Conflict[] = [];
  let clock = 1000;
  const watch = new ConflictWatch({
    log: silentLogger,
    onConflict: (c) => conflicts.push(c),
    now: () => clock,
    openSocket: (spec) => {
      if (spec.ifindex === opts.failIfindex) throw new Error('ENODEV');
      const s = new FakeSocket(spec);
      sockets.push(s);
      return s as unknown as Socket;
    },
  });
  const open = () => sockets.filter((s) => !s.closed);
  const sock = (ifindex: number, family: 4 | 6) => {
    const s = open().find((x) => x.spec.ifindex === ifindex && x.spec.family === family);
    if (!s) throw new Error(`no socket for ${ifindex}/${family}`);
    return s;
  };
  return { watch, sockets, open, sock, conflicts, advance: (ms: number) => { clock += ms; } };
}

describe('ConflictWatch decisions', () => {
  it('a foreign GARP for a guarded address is a conflict on the NIC it arrived on', () => {
    const t = setup();
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }]);
    t.sock(3, 4).deliver(buildGratuitousArp(INTRUDER, V4));
    expect(t.conflicts).toEqual([{ address: V4, family: 4, ifname: 'eth1', ifindex: 3, mac: INTRUDER, kind: 'arp-request', at: 1000 }]);
  });

  it('an ARP probe and an NA are claims too', () => {
    const t = setup();
    t.watch.configure([NIC0], [{ family: 4, address: V4 }, { family: 6, address: V6 }]);
    t.sock(2, 4).deliver(buildArpRequest(INTRUDER, '0.0.0.0', V4));
    t.sock(2, 6).deliver(buildUnsolicitedNa(INTRUDER, V6));
    expect(t.conflicts.map((c) => [c.kind, c.address, c.mac])).toEqual([['arp-probe', V4, INTRUDER], ['na', V6, INTRUDER]]);
  });

  it('never reports our own MACs, frames we sent, or addresses not guarded', () => {
    const seen: string[] = [];
    const t = setup();
    const w = new ConflictWatch({ log: silentLogger, onConflict: (c) => t.conflicts.push(c), onClaim: (s) => seen.push(s.verdict),
      openSocket: (spec) => { const s = new FakeSocket(spec); t.sockets.push(s); return s as unknown as Socket; } });
    w.configure([NIC0, NIC1], [{ family: 4, address: V4 }]);
    t.sock(3, 4).deliver(buildGratuitousArp(NIC0.mac, V4)); // sibling NIC's GARP via the switch
    t.sock(2, 4).deliver(buildGratuitousArp(INTRUDER, V4), PACKET_OUTGOING);
    t.sock(2, 4).deliver(buildGratuitousArp(INTRUDER, '192.0.2.7'));
    t.sock(2, 4).deliver(buildUnsolicitedNa(INTRUDER, V6)); // wrong family for this socket
    expect(t.conflicts).toEqual([]);
    expect(seen).toEqual(['own', 'outgoing', 'unguarded']);
    expect(w.counters).toMatchObject({ frames: 4, claims: 3, conflicts: 0 });
  });

  it('rate-limits per (address, mac) and reports again after the hold-down', () => {
    const t = setup();
    t.watch.configure([NIC0], [{ family: 4, address: V4 }]);
    for (let i = 0; i < 50; i++) t.sock(2, 4).deliver(buildGratuitousArp(INTRUDER, V4));
    expect(t.conflicts).toHaveLength(1);
    expect(t.watch.counters).toMatchObject({ conflicts: 1, suppressed: 49 });
    t.advance(10_000);
    t.sock(2, 4).deliver(buildGratuitousArp(INTRUDER, V4));
    expect(t.conflicts).toHaveLength(2);
  });

  it('compares addresses and MACs in canonical form', () => {
    const t = setup();
    t.watch.configure([{ ...NIC0, mac: '02-00-00-00-00-1A' }], [{ family: 6, address: '2001:DB8:0::0100' }]);
    t.sock(2, 6).deliver(buildUnsolicitedNa('02:00:00:00:00:1a', V6));
    expect(t.conflicts).toEqual([]);
    t.sock(2, 6).deliver(buildUnsolicitedNa(INTRUDER, V6));
    expect(t.conflicts.map((c) => c.address)).toEqual([V6]);
  });

  it('a throwing handler does not escape into the socket callback', () => {
    const sockets: FakeSocket[] = [];
    const w = new ConflictWatch({ log: silentLogger, onConflict: () => { throw new Error('boom'); },
      openSocket: (spec) => { const s = new FakeSocket(spec); sockets.push(s); return s as unknown as Socket; } });
    w.configure([NIC0], [{ family: 4, address: V4 }]);
    expect(() => sockets[0]?.deliver(buildGratuitousArp(INTRUDER, V4))).not.toThrow();
  });
});

describe('ConflictWatch sockets', () => {
  it('opens one socket per NIC and guarded family, started, nothing else', () => {
    const t = setup();
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }]);
    expect(t.open().map((s) => [s.spec.ifindex, s.spec.family, s.started])).toEqual([[2, 4, true], [3, 4, true]]);
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }, { family: 6, address: V6 }]);
    expect(t.sockets).toHaveLength(4); // the IPv4 sockets were kept
    expect(t.watch.watching()).toHaveLength(4);
  });

  it('closes the sockets of NICs and families no longer given', () => {
    const t = setup();
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }, { family: 6, address: V6 }]);
    t.watch.configure([NIC1], [{ family: 6, address: V6 }]);
    expect(t.open().map((s) => [s.spec.ifindex, s.spec.family])).toEqual([[3, 6]]);
    t.watch.configure([], [{ family: 6, address: V6 }]);
    expect(t.open()).toEqual([]);
    t.watch.configure([NIC0], []);
    expect(t.open()).toEqual([]);
  });

  it('a NIC whose socket cannot be opened is skipped, the others are watched', () => {
    const t = setup({ failIfindex: 2 });
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }]);
    expect(t.watch.watching()).toEqual([{ ifname: 'eth1', ifindex: 3, family: 4 }]);
  });

  it('close() closes everything and refuses later configure()', () => {
    const t = setup();
    t.watch.configure([NIC0, NIC1], [{ family: 4, address: V4 }]);
    t.watch.close();
    expect(t.open()).toEqual([]);
    expect(() => t.watch.configure([NIC0], [])).toThrow(/closed/);
  });
});
