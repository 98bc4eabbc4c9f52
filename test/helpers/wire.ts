// Watches a switch port for announcements, with kernel receive timestamps, the way the
// bonding selftests count GARPs on the gateway side.
import { parseArp, isGratuitousArp } from '../../src/packet/arp.js';
import { packetSocketProtocol } from '../../src/packet/ethernet.js';
import { parseNdisc, ND_NEIGHBOR_ADVERT } from '../../src/packet/ndisc.js';
import { AF_PACKET, ETH_P_ALL, SOCK_RAW, SOL_SOCKET, SO_RCVBUFFORCE, SO_TIMESTAMPNS } from '../../src/sys/constants.js';
import { Socket } from '../../src/sys/socket.js';
import { ipJson } from './netns.js';

export interface Seen {
  kind: 'garp' | 'na';
  address: string;
  mac: string;
  /** CLOCK_REALTIME ns at which the kernel received the frame on the port. */
  atNs: bigint;
  port: string;
}

export class AnnouncementWatcher {
  readonly seen: Seen[] = [];
  readonly errors: string[] = [];
  private readonly sockets: Socket[] = [];

  constructor(ns: string, ports: string[]) {
    for (const port of ports) {
      const [link] = ipJson<{ ifindex: number }[]>(ns, 'link', 'show', port);
      if (!link) throw new Error(`no port ${port} in ${ns}`);
      const s = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ETH_P_ALL), { netns: `/run/netns/${ns}` });
      s.bind({ family: 'packet', protocol: ETH_P_ALL, ifindex: link.ifindex });
      s.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
      // Bursts of hundreds of announcements must not be dropped by the watcher itself.
      s.setOption(SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20);
      s.on('message', (d) => {
        const arp = parseArp(d.data);
        if (arp && isGratuitousArp(arp)) {
          this.seen.push({ kind: 'garp', address: arp.senderIp, mac: arp.senderMac, atNs: d.timestampNs ?? 0n, port });
          return;
        }
        const nd = parseNdisc(d.data);
        if (nd && nd.type === ND_NEIGHBOR_ADVERT && !nd.flags.solicited && nd.dest === 'ff02::1') {
          this.seen.push({ kind: 'na', address: nd.target, mac: nd.lladdr ?? '', atNs: d.timestampNs ?? 0n, port });
        }
      });
      // A port going down (carrier tests) raises ENETDOWN on its socket: expected here.
      s.on('error', (err) => { this.errors.push(err.code ?? err.message); });
      s.start();
      this.sockets.push(s);
    }
  }

  for(address: string): Seen[] {
    return this.seen.filter((s) => s.address === address);
  }

  clear(): void {
    this.seen.length = 0;
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

/** Polls until cond() is true; bounded in time. */
export async function until(cond: () => boolean, timeoutMs: number, what: string, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
