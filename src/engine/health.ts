// in.mpathd's combining rule for the two detectors: a member is failed if either the link or
// the probes say failed, and repaired only when both say OK. The flap limiter only guards
// repairs the probes cannot vouch for (no test address, or no targets).

import type { ProbeState } from './states.js';
import type { LinkObservation } from './link-watch.js';

/**
 * unknown: link never observed. ok: usable. failed: unusable.
 * deferred: link up but repair blocked by the flap limiter (a running member stays running).
 */
export type Verdict = 'unknown' | 'ok' | 'failed' | 'deferred';

export function combineVerdict(link: LinkObservation, probe: ProbeState, flapDeferred: boolean): Verdict {
  if (link === 'unknown') return 'unknown';
  if (link !== 'up') return 'failed';
  if (probe === 'failed') return 'failed';
  if (probe === 'ok') return 'ok';
  return flapDeferred ? 'deferred' : 'ok';
}
