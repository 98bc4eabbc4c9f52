// What the event path tells an observer (the metrics, src/metrics/service.ts) once its work
// is done: called after the writer's run has finished, never before or during, so observing
// costs the failover nothing.
import type { ApplyReport } from '../apply/writer.js';
import type { EngineResult } from '../engine/types.js';

export interface StepObserver {
  /** An engine step and the writer's report for its placement. */
  stepped(result: EngineResult, report: ApplyReport): void;
  /** A writer run not driven by the engine (reconcile, announcement refresh). */
  reconciled(reason: string, report: ApplyReport): void;
  /** An armed plan fired (its announcements are skipped by the run that follows). */
  fired(announcements: number): void;
}
