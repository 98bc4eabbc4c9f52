// A member's probe verdict from its instances (one per probing family and method), in.mpathd's
// failure_state/repair rules: failed when every instance that has targets lost its last
// NUM_PROBE_FAILS probes; once failed (or reset) it must re-earn 'ok' with NUM_PROBE_REPAIRS
// consecutive replies on any instance. No targets anywhere: 'unknown', never a failure.
import type { ProbeState } from '../engine/states.js';
import { NUM_PROBE_FAILS, NUM_PROBE_REPAIRS } from './constants.js';
import type { InstanceRuns } from './instance.js';

export interface InstanceView extends InstanceRuns {
  hasTargets: boolean;
}

export interface MemberVerdict {
  state: ProbeState;
  /** Failed or reset: 'ok' only after NUM_PROBE_REPAIRS consecutive replies. */
  mustEarn: boolean;
  lastOkAt?: number;
  failingSince?: number;
}

export const INITIAL_VERDICT: MemberVerdict = { state: 'unknown', mustEarn: false };

/** The verdict after a reset (link down, group failure): history gone, 'ok' must be re-earned. */
export function resetVerdict(prev: MemberVerdict, hasTargets: boolean, now: number): MemberVerdict {
  if (prev.state === 'disabled') return prev;
  const out: MemberVerdict = { state: hasTargets || prev.state === 'failed' ? 'failed' : 'unknown', mustEarn: true };
  if (prev.lastOkAt !== undefined) out.lastOkAt = prev.lastOkAt;
  if (out.state === 'failed') out.failingSince = prev.state === 'failed' && prev.failingSince !== undefined ? prev.failingSince : now;
  return out;
}

export function nextVerdict(prev: MemberVerdict, instances: readonly InstanceView[]): MemberVerdict {
  if (instances.length === 0) return { state: 'disabled', mustEarn: false };
  let lastOkAt = prev.lastOkAt;
  for (const i of instances) if (i.lastAckAt !== undefined && (lastOkAt === undefined || i.lastAckAt > lastOkAt)) lastOkAt = i.lastAckAt;
  const withOk = (v: MemberVerdict): MemberVerdict => (lastOkAt === undefined ? v : { ...v, lastOkAt });
  const probing = instances.filter((i) => i.hasTargets);

  if (prev.mustEarn) {
    if (instances.some((i) => i.ackRun >= NUM_PROBE_REPAIRS)) return withOk({ state: 'ok', mustEarn: false });
    // Still failed while any instance can probe; with no targets at all, a failed member stays failed.
    const state: ProbeState = probing.length > 0 || prev.state === 'failed' ? 'failed' : 'unknown';
    const v: MemberVerdict = { state, mustEarn: true };
    if (state === 'failed') v.failingSince = prev.failingSince ?? firstLoss(probing) ?? lastOkAt ?? 0;
    return withOk(v);
  }
  if (probing.length > 0 && probing.every((i) => i.lossRun >= NUM_PROBE_FAILS)) {
    const since = firstLoss(probing);
    const v: MemberVerdict = { state: 'failed', mustEarn: true };
    if (since !== undefined) v.failingSince = since;
    return withOk(v);
  }
  return withOk({ state: probing.length > 0 ? 'ok' : 'unknown', mustEarn: false });
}

function firstLoss(instances: readonly InstanceView[]): number | undefined {
  let best: number | undefined;
  for (const i of instances) if (i.lossRunSince !== undefined && (best === undefined || i.lossRunSince < best)) best = i.lossRunSince;
  return best;
}
