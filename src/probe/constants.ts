// in.mpathd's probing constants (solaris-ipmp.md §3.1), plus the few numbers ipmpd adds.

/** Consecutive lost probes that make a family instance fail. */
export const NUM_PROBE_FAILS = 5;
/** Consecutive acknowledged probes that repair an interface. */
export const NUM_PROBE_REPAIRS = 10;
/** Probe history kept per instance; replies for older sequence numbers are out of window. */
export const PROBE_STATS_COUNT = NUM_PROBE_REPAIRS * 5 + 2;
/** Each probe leaves at base time + random[MIN, MAX] × interval. */
export const MIN_RANDOM_FACTOR = 0.5;
export const MAX_RANDOM_FACTOR = 1.0;
export const MIN_PROBE_TARGETS = 3;
export const MAX_PROBE_TARGETS = 5;
/** A dead or slow router target is tried again after this long. */
export const MIN_RECOVERY_TIME_MS = 60_000;
/** The FDT is not lowered within this long of being raised. */
export const MIN_SETTLING_TIME_MS = 60_000;
/** Start-up quiet period: lost probes are ignored until the first reply (spanning tree). */
export const FAILURE_DETECTION_QP_MS = 40_000;
export const NEXT_FDT_MULTIPLE = 2;
/** Lower the FDT when every CRTT is below probe interval / LOWER_FDT_TRIGGER. */
export const LOWER_FDT_TRIGGER = 4;
/** Slow-target test: every other target's CRTT at most probe interval / EXCEPTION_FACTOR. */
export const EXCEPTION_FACTOR = 2;
/** RTT samples that alone would push CRTT above the probe interval are deferred this often. */
export const MAXDEFERREDRTT = 1;
export const MIN_FAILURE_DETECTION_TIME_MS = 100;

/**
 * ipmpd: a CRTT of a few microseconds (veth, idle LAN) would count a reply delayed by one
 * scheduler tick as lost; the loss timeout never goes below this (nor above the interval
 * while the CRTT is below it). in.mpathd's millisecond arithmetic has a similar floor.
 */
export const LOSS_TIMEOUT_FLOOR_MS = 10;

/** ICMP echo payload "mtype" values (in.mpathd). */
export const MTYPE_UNICAST = 0x1234;
export const MTYPE_MULTICAST = 0x5678;

/** Probe interval for a failure detection time: FDT / (NUM_PROBE_FAILS + 2). */
export function probeIntervalFor(fdtMs: number): number {
  return fdtMs / (NUM_PROBE_FAILS + 2);
}
