// Real frames captured with `tcpdump -i b0 -xx` on the far end of a veth pair between two
// throw-away namespaces (Linux 6.18). Side A: a0 = 02:00:00:00:00:aa, 192.0.2.1/24,
// 2001:db8::1/64; side B: b0 = 02:00:00:00:00:0b, 192.0.2.2/24, 2001:db8::2/64.
// Kernel-made announcements came from arp_notify=1 / ndisc_notify=1 and a MAC change of a0.

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

export const MAC_A = '02:00:00:00:00:aa';
export const MAC_B = '02:00:00:00:00:0b';

/** Kernel GARP (inetdev_send_gratuitous_arp): "Request who-has 192.0.2.1 tell 192.0.2.1". */
export const KERNEL_GARP = hex(`
  ffffffffffff 0200000000aa 0806
  0001 0800 06 04 0001 0200000000aa c0000201 000000000000 c0000201`);

/** Kernel unsolicited NA (ndisc_send_unsol_na) for 2001:db8::1: O=1, S=0, R=0, TLLA. */
export const KERNEL_UNSOL_NA = hex(`
  333300000001 0200000000aa 86dd
  60000000 0020 3a ff 20010db8000000000000000000000001 ff020000000000000000000000000001
  88 00 f881 20000000 20010db8000000000000000000000001 02 01 0200000000aa`);

/** The same for the link-local address (checksum differs, same shape). */
export const KERNEL_UNSOL_NA_LL = hex(`
  333300000001 0200000000aa 86dd
  60000000 0020 3a ff fe80000000000000000000fffe00000a ff020000000000000000000000000001
  88 00 58e0 20000000 fe80000000000000000000fffe00000a 02 01 0200000000aa`);

/** Kernel ARP resolution: "Request who-has 192.0.2.2 tell 192.0.2.1", THA zero. */
export const KERNEL_ARP_REQUEST = hex(`
  ffffffffffff 0200000000aa 0806
  0001 0800 06 04 0001 0200000000aa c0000201 000000000000 c0000202`);

/** B's unicast answer: "Reply 192.0.2.2 is-at 02:00:00:00:00:0b". */
export const KERNEL_ARP_REPLY = hex(`
  0200000000aa 02000000000b 0806
  0001 0800 06 04 0002 02000000000b c0000202 0200000000aa c0000201`);

/** arping 2.23 (Habets) -U: request with THA broadcast and 16 bytes of trailing zeros (58 on the veth). */
export const ARPING_U_REQUEST = hex(`
  ffffffffffff 0200000000aa 0806
  0001 0800 06 04 0001 0200000000aa c0000201 ffffffffffff c0000201
  00000000000000000000000000000000`);

/** arping 2.23 (Habets) -P -U: reply with THA broadcast. Linux's arp_is_garp rejects it (THA != SHA). */
export const ARPING_PU_REPLY = hex(`
  ffffffffffff 0200000000aa 0806
  0001 0800 06 04 0002 0200000000aa c0000201 ffffffffffff c0000201
  00000000000000000000000000000000`);

/** Kernel NS from 2001:db8::1 for 2001:db8::2 to ff02::1:ff00:2, SLLA option. */
export const KERNEL_NS = hex(`
  3333ff000002 0200000000aa 86dd
  60000000 0020 3a ff 20010db8000000000000000000000001 ff0200000000000000000001ff000002
  87 00 1b7e 00000000 20010db8000000000000000000000002 01 01 0200000000aa`);

/** B's solicited NA: S=1, O=1, unicast to A, TLLA. */
export const KERNEL_SOLICITED_NA = hex(`
  0200000000aa 02000000000b 86dd
  60000000 0020 3a ff 20010db8000000000000000000000002 20010db8000000000000000000000001
  88 00 8a68 60000000 20010db8000000000000000000000002 02 01 02000000000b`);

/** Router solicitation from B (ICMPv6 133): not an NS/NA. */
export const ROUTER_SOLICIT = hex(`
  333300000002 02000000000b 86dd
  60000000 0010 3a ff fe80000000000000000000fffe00000b ff020000000000000000000000000002
  85 00 7b18 00000000 01 01 02000000000b`);

/** ping -c1 -s8 -p41424344 -e4660 192.0.2.2: ICMP echo request (with Ethernet + IPv4). */
export const ICMP4_ECHO_REQUEST_FRAME = hex(`
  02000000000b 0200000000aa 0800
  45 00 0024 9d76 4000 40 01 195f c0000201 c0000202
  08 00 6144 1234 0001 4142434400000000`);

/** The echo reply; from offset 14 on it is exactly what a raw AF_INET socket reads. */
export const ICMP4_ECHO_REPLY_FRAME = hex(`
  0200000000aa 02000000000b 0800
  45 00 0024 ec97 0000 40 01 0a3e c0000202 c0000201
  00 00 6944 1234 0001 4142434400000000`);

/** ping -6: echo request 2001:db8::1 -> ::2 (flow label set by the kernel). */
export const ICMP6_ECHO_REQUEST_FRAME = hex(`
  02000000000b 0200000000aa 86dd
  600c20c4 0010 3a 40 20010db8000000000000000000000001 20010db8000000000000000000000002
  80 00 8d84 1234 0001 4142434400000000`);

/** The ICMPv6 echo reply; from offset 54 on it is what a raw AF_INET6 ICMPv6 socket reads. */
export const ICMP6_ECHO_REPLY_FRAME = hex(`
  0200000000aa 02000000000b 86dd
  600bda62 0010 3a 40 20010db8000000000000000000000002 20010db8000000000000000000000001
  81 00 8c84 1234 0001 4142434400000000`);

/** KERNEL_GARP as it looks below a VLAN device (id 10, pcp 0): tag 8100 000a after the MACs. */
export const KERNEL_GARP_VLAN10 = hex(`
  ffffffffffff 0200000000aa 8100 000a 0806
  0001 0800 06 04 0001 0200000000aa c0000201 000000000000 c0000201`);

/** KERNEL_UNSOL_NA tagged with VLAN 100, pcp 5 (TCI = 0xa064). */
export const KERNEL_UNSOL_NA_VLAN100 = hex(`
  333300000001 0200000000aa 8100 a064 86dd
  60000000 0020 3a ff 20010db8000000000000000000000001 ff020000000000000000000000000001
  88 00 f881 20000000 20010db8000000000000000000000001 02 01 0200000000aa`);

// Claim-attempt frames from B for A's addresses (RFC 5227 probe, RFC 4862 DAD). Laid out
// by hand to the RFC shapes (not captured); the checksum was computed and is checked below.

/** ARP probe: "who-has 192.0.2.1 tell 0.0.0.0", SHA = B, THA zero (RFC 5227 §2.1.1). */
export const ARP_PROBE_FROM_B = hex(`
  ffffffffffff 02000000000b 0806
  0001 0800 06 04 0001 02000000000b 00000000 000000000000 c0000201`);

/** DAD NS: from ::, to ff02::1:ff00:1, target 2001:db8::1, no SLLA option (RFC 4861 §4.3). */
export const DAD_NS_FROM_B = hex(`
  3333ff000001 02000000000b 86dd
  60000000 0018 3a ff 00000000000000000000000000000000 ff0200000000000000000001ff000001
  87 00 4ced 00000000 20010db8000000000000000000000001`);
