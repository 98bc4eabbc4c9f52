// Duplicate address detection for addresses we hold: listens on each configured NIC for
// ARP / NA / DAD-NS claims (src/packet/claim.ts) and reports a claim on a guarded address
// by a MAC that is not one of our NICs'. Reporting only: the daemon defends (one GARP / NA
// via its Announcer) and decides what else to do.
import type { Logger } from '../log.js';
import { parseClaim, type Claim, type ClaimKind } from '../packet/claim.js';
import { formatMac, parseMac } from '../packet/ethernet.js';
import { bytesToIpv4, bytesToIpv6, ipv4ToBytes, ipv6ToBytes } from '../sys/sockaddr.js';
import type { Datagram, Socket } from '../sys/socket.js';
import { ConflictRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { openClaimSocket, type ClaimSocketSpec } from './sockets.js';

/** sockaddr_ll pkttype of frames this host sent (linux/if_packet.h). */
export const PACKET_OUTGOING = 4;

export interface WatchedNic {
  ifname: string;
  ifindex: number;
  mac: string;
}

export interface GuardedAddress {
  /** Address without prefix. */
  address: string;
  family: 4 | 6;
}

export interface Conflict {
  address: string;
  family: 4 | 6;
  /** NIC the claim arrived on. */
  ifname: string;
  ifindex: number;
  /** The claimer's MAC (lower-case, colon form). */
  mac: string;
  kind: ClaimKind;
  /** When it was seen, on the `now` clock (default performance.now(), like the engine). */
  at: number;
}

export type Verdict = 'outgoing' | 'own' | 'unguarded' | 'conflict' | 'suppressed';

/** Every claim examined, with what the watch made of it (for debug logs and tests). */
export interface ClaimSeen {
  ifname: string;
  ifindex: number;
  claim: Claim;
  verdict: Verdict;
}

export interface ConflictCounters {
  /** Frames read from the sockets. */
  frames: number;
  /** Frames that carried a claim. */
  claims: number;
  conflicts: number;
  suppressed: number;
}

export interface ConflictWatchOptions {
  log: Logger;
  /** Network namespace path (/run/netns/NAME) to open the sockets in, as for Announcer. */
  netns?: string;
  onConflict: (c: Conflict) => void;
  /** Called for every claim examined, before onConflict. */
  onClaim?: (s: ClaimSeen) => void;
  rateLimit?: RateLimitOptions;
  /** Clock in ms; default performance.now(). */
  now?: () => number;
  /** Socket factory, replaceable in unit tests. */
  openSocket?: (spec: ClaimSocketSpec) => Socket;
}

interface Listener {
  nic: WatchedNic;
  family: 4 | 6;
  socket: Socket;
}

export class ConflictWatch {
  readonly counters: ConflictCounters = { frames: 0, claims: 0, conflicts: 0, suppressed: 0 };
  private readonly listeners = new Map<string, Listener>();
  private readonly limiter: ConflictRateLimiter;
  private readonly now: () => number;
  private readonly openSocket: (spec: ClaimSocketSpec) => Socket;
  private ownMacs = new Set<string>();
  private guarded = new Set<string>();
  private closed = false;

  constructor(private readonly opts: ConflictWatchOptions) {
    this.limiter = new ConflictRateLimiter(opts.rateLimit);
    this.now = opts.now ?? (() => performance.now());
    this.openSocket = opts.openSocket ?? openClaimSocket;
  }

  /**
   * Watches exactly these NICs for claims on exactly these addresses. Sockets are opened
   * per NIC and family only while some guarded address has that family; sockets of NICs
   * no longer given are closed. A NIC whose socket cannot be opened is logged and skipped.
   */
  configure(nics: readonly WatchedNic[], guarded: readonly GuardedAddress[]): void {
    if (this.closed) throw new Error('ConflictWatch is closed');
    this.ownMacs = new Set(nics.map((n) => normalizeMac(n.mac)));
    this.guarded = new Set(guarded.map((g) => addressKey(g.family, g.address)));
    this.limiter.retain(this.guarded);
    const families = new Set(guarded.map((g) => g.family));
    const wanted = new Map<string, { nic: WatchedNic; family: 4 | 6 }>();
    for (const nic of nics) for (const family of families) wanted.set(`${nic.ifindex}/${family}`, { nic, family });
    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      l.socket.close();
      this.listeners.delete(key);
    }
    for (const [key, w] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        existing.nic = w.nic; // a rename keeps the socket (bound by ifindex)
        continue;
      }
      this.listen(key, w.nic, w.family);
    }
  }

  /** (ifname, family) pairs with an open socket. */
  watching(): { ifname: string; ifindex: number; family: 4 | 6 }[] {
    return [...this.listeners.values()].map((l) => ({ ifname: l.nic.ifname, ifindex: l.nic.ifindex, family: l.family }));
  }

  close(): void {
    this.closed = true;
    for (const l of this.listeners.values()) l.socket.close();
    this.listeners.clear();
  }

  private listen(key: string, nic: WatchedNic, family: 4 | 6): void {
    let socket: Socket;
    try {
      socket = this.openSocket(this.opts.netns === undefined
        ? { family, ifindex: nic.ifindex }
        : { family, ifindex: nic.ifindex, netns: this.opts.netns });
    } catch (err) {
      this.opts.log.warn({ err, ifname: nic.ifname, family }, `cannot watch ${nic.ifname} for IPv${family} address conflicts`);
      return;
    }
    const l: Listener = { nic, family, socket };
    socket.on('message', (d) => { this.onFrame(l, d); });
    // ENETDOWN while the NIC is down: the socket resumes when it comes back up.
    socket.on('error', (err) => { this.opts.log.debug({ err, ifname: l.nic.ifname }, 'conflict watch socket error'); });
    socket.start();
    this.listeners.set(key, l);
  }

  private onFrame(l: Listener, d: Datagram): void {
    this.counters.frames++;
    const claim = parseClaim(d.data);
    if (!claim || claim.family !== l.family) return;
    this.counters.claims++;
    const at = this.now();
    const verdict = this.judge(claim, d, at);
    const { ifname, ifindex } = l.nic;
    this.opts.onClaim?.({ ifname, ifindex, claim, verdict });
    if (verdict === 'suppressed') this.counters.suppressed++;
    if (verdict !== 'conflict') return;
    this.counters.conflicts++;
    this.opts.log.warn({ ifname, address: claim.address, mac: claim.mac, kind: claim.kind },
      `address conflict: ${claim.address} claimed by ${claim.mac} on ${ifname} (${claim.kind})`);
    try {
      this.opts.onConflict({ address: claim.address, family: claim.family, ifname, ifindex, mac: claim.mac, kind: claim.kind, at });
    } catch (err) {
      // A throwing handler must not escape into the socket's read callback.
      this.opts.log.error({ err }, 'conflict handler failed');
    }
  }

  private judge(claim: Claim, d: Datagram, at: number): Verdict {
    // Our own transmissions (only ETH_P_ALL taps see them, but be sure), and our frames
    // coming back to a sibling NIC through the switch.
    if (d.from?.family === 'packet' && d.from.pkttype === PACKET_OUTGOING) return 'outgoing';
    if (this.ownMacs.has(claim.mac) || this.ownMacs.has(claim.ethSrc)) return 'own';
    const key = addressKey(claim.family, claim.address);
    if (!this.guarded.has(key)) return 'unguarded';
    return this.limiter.allow(key, claim.mac, at) ? 'conflict' : 'suppressed';
  }
}

function normalizeMac(mac: string): string {
  return formatMac(parseMac(mac));
}

/** Canonical text, so '2001:DB8::0100' and '2001:db8::100' are the same address. */
function addressKey(family: 4 | 6, address: string): string {
  return family === 4 ? bytesToIpv4(ipv4ToBytes(address)) : bytesToIpv6(ipv6ToBytes(address));
}
