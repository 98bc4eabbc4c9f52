// Fan-out of state events: EventPath.step() hands every engine result here; subscribers
// (monitor connections, hooks) get the derived events. Subscribers must not block: each one
// queues or drops by itself, so nothing here can slow the failover path.
import type { EngineResult, Placement } from '../engine/types.js';
import type { Logger } from '../log.js';
import { duplicateEvent, stateEvents, type StateEvent } from './state-events.js';

export type StateListener = (e: StateEvent) => void;

export class StateStream {
  private before: Placement | undefined;
  private readonly listeners = new Set<StateListener>();

  constructor(private readonly log: Logger, private readonly clock: () => Date = () => new Date()) {}

  /** One engine result; `initial` (the first placement at start) is adopted silently. */
  observe(r: EngineResult, initial = false): void {
    const events = initial ? [] : stateEvents(this.before, r, this.clock().toISOString());
    this.before = r.placement;
    for (const e of events) this.publish(e);
  }

  duplicate(group: string, address: string, ifname: string | undefined): void {
    this.publish(duplicateEvent(group, address, ifname, this.clock().toISOString()));
  }

  subscribe(l: StateListener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }

  /** Every subscriber gets the event; one that throws is logged and the rest still get it. */
  publish(e: StateEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err, event: e.event }, 'state event listener failed');
      }
    }
  }
}
