// The probe sockets of one member and family. ICMP: a raw socket bound to the test address
// and (SO_BINDTODEVICE) the NIC, TTL / hop limit 1, ICMP(6)_FILTER plus a BPF program that
// passes only echo replies carrying our id, kernel receive timestamps. ARP / NS: a packet
// socket on the NIC with a BPF program for ARP frames or Neighbor Advertisements.
import {
  arpOnly, icmp6EchoReplyOnly, icmp6FilterEchoReplyOnly, icmpEchoReplyOnly, icmpFilterEchoReplyOnly, ndiscAdvertOnly,
} from '../packet/bpf.js';
import { packetSocketProtocol } from '../packet/ethernet.js';
import {
  AF_INET, AF_INET6, AF_PACKET, ETH_P_ARP, ETH_P_IPV6, ICMP6_FILTER, ICMP_FILTER, IPPROTO_ICMP, IPPROTO_ICMPV6,
  IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IPV6_UNICAST_HOPS, IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_TTL,
  SOCK_RAW, SOL_ICMPV6, SOL_IP, SOL_IPV6, SOL_RAW, SOL_SOCKET, SO_ATTACH_FILTER, SO_BINDTODEVICE, SO_TIMESTAMPNS,
} from '../sys/constants.js';
import type { SockAddr } from '../sys/sockaddr.js';
import { Socket } from '../sys/socket.js';

export interface ProbeSocketSpec {
  family: 4 | 6;
  ifname: string;
  ifindex: number;
  /** Test address without prefix. */
  address: string;
  /** ICMP echo identifier. */
  id: number;
  netns?: string;
}

/** in.mpathd's identifier: low byte of the pid, then the low byte of the ifindex. */
export function echoIdentifier(pid: number, ifindex: number): number {
  return ((pid & 0xff) << 8) | (ifindex & 0xff);
}

const opts = (netns: string | undefined): { netns?: string } => (netns === undefined ? {} : { netns });

/** Runs `setup` on a new socket and closes it again if setup throws. */
function guarded(s: Socket, setup: () => void): Socket {
  try {
    setup();
    return s;
  } catch (err) {
    s.close();
    throw err;
  }
}

export function openIcmpSocket(spec: ProbeSocketSpec): Socket {
  const v4 = spec.family === 4;
  const s = v4
    ? new Socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, opts(spec.netns))
    : new Socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, opts(spec.netns));
  return guarded(s, () => {
    // Filters first, so nothing unfiltered is queued before them.
    if (v4) s.setOption(SOL_RAW, ICMP_FILTER, icmpFilterEchoReplyOnly());
    else s.setOption(SOL_ICMPV6, ICMP6_FILTER, icmp6FilterEchoReplyOnly());
    s.setOption(SOL_SOCKET, SO_ATTACH_FILTER, v4 ? icmpEchoReplyOnly(spec.id) : icmp6EchoReplyOnly(spec.id));
    s.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${spec.ifname}\0`));
    s.bind(v4
      ? { family: 'inet', address: spec.address, port: 0 }
      : { family: 'inet6', address: spec.address, port: 0, scopeId: spec.ifindex });
    // On-link targets only: a probe must never be forwarded by a router (in.mpathd TTL 1).
    if (v4) {
      s.setOption(SOL_IP, IP_TTL, 1);
      s.setOption(SOL_IP, IP_MULTICAST_TTL, 1);
      s.setOption(SOL_IP, IP_MULTICAST_LOOP, 0);
    } else {
      s.setOption(SOL_IPV6, IPV6_UNICAST_HOPS, 1);
      s.setOption(SOL_IPV6, IPV6_MULTICAST_HOPS, 1);
      s.setOption(SOL_IPV6, IPV6_MULTICAST_LOOP, 0);
    }
    s.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
  });
}

/** Packet socket for ARP (IPv4) or Neighbor Advertisements (IPv6) on one NIC. */
export function openNeighbourSocket(spec: Pick<ProbeSocketSpec, 'family' | 'ifindex' | 'netns'>): Socket {
  const ethertype = spec.family === 4 ? ETH_P_ARP : ETH_P_IPV6;
  const s = new Socket(AF_PACKET, SOCK_RAW, packetSocketProtocol(ethertype), opts(spec.netns));
  return guarded(s, () => {
    s.setOption(SOL_SOCKET, SO_ATTACH_FILTER, spec.family === 4 ? arpOnly() : ndiscAdvertOnly());
    s.bind({ family: 'packet', protocol: ethertype, ifindex: spec.ifindex });
    s.setOption(SOL_SOCKET, SO_TIMESTAMPNS, 1);
  });
}

export function icmpDestination(family: 4 | 6, address: string, ifindex: number): SockAddr {
  return family === 4 ? { family: 'inet', address, port: 0 } : { family: 'inet6', address, port: 0, scopeId: ifindex };
}

export function packetDestination(family: 4 | 6, ifindex: number): SockAddr {
  return { family: 'packet', protocol: family === 4 ? ETH_P_ARP : ETH_P_IPV6, ifindex };
}
