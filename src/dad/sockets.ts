// Receive sockets for address claims on one NIC: ARP (IPv4) or NA + DAD NS (IPv6).
// Per-protocol packet sockets rather than ETH_P_ALL: ETH_P_ALL taps also get a clone of
// every frame the NIC transmits, a cost on the data path we have no use for.
import { arpOnly, ndiscClaimsOnly } from '../packet/bpf.js';
import { AF_PACKET, ETH_P_ARP, ETH_P_IPV6, SOCK_RAW, SOL_SOCKET, SO_ATTACH_FILTER } from '../sys/constants.js';
import { Socket } from '../sys/socket.js';

export interface ClaimSocketSpec {
  family: 4 | 6;
  ifindex: number;
  /** Path of a network namespace (/run/netns/NAME) to open the socket in. */
  netns?: string;
}

export function openClaimSocket(spec: ClaimSocketSpec): Socket {
  // Protocol 0 at creation: the socket is hooked to no interface until bind() names ours,
  // so frames from NICs we were not given never reach its queue.
  const s = new Socket(AF_PACKET, SOCK_RAW, 0, spec.netns === undefined ? {} : { netns: spec.netns });
  try {
    s.setOption(SOL_SOCKET, SO_ATTACH_FILTER, spec.family === 4 ? arpOnly() : ndiscClaimsOnly());
    s.bind({ family: 'packet', protocol: spec.family === 4 ? ETH_P_ARP : ETH_P_IPV6, ifindex: spec.ifindex });
    return s;
  } catch (err) {
    s.close();
    throw err;
  }
}
