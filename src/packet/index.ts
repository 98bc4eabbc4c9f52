// Pure wire formats for the announcer (GARP / unsolicited NA) and the prober.
export * from './ethernet.js';
export * from './checksum.js';
export * from './arp.js';
export * from './ndisc.js';
export * from './icmp.js';
export * from './bpf.js';
export * from './claim.js';
