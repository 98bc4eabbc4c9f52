// Everything that can reach the daemon's event path (event-path.ts), and the one translation
// that is pure data: a probe verdict into the engine's probe event.
import type { Conflict } from '../dad/conflict-watch.js';
import type { EngineEvent } from '../engine/types.js';
import type { Link, Address, Route } from '../netlink/types.js';
import type { ProbeVerdict } from '../probe/manager.js';

export type DaemonInput =
  /** Any link notification (a rename concerns a link that no longer has a member's name). */
  | { kind: 'link'; link: Link; removed: boolean }
  | { kind: 'address'; added: boolean; address: Address }
  | { kind: 'route-removed'; route: Route }
  | { kind: 'probe'; ifname: string; verdict: ProbeVerdict }
  /** The engine's deadline (flap damping) has come. */
  | { kind: 'timer' }
  /** Re-check everything against a fresh dump (monitor resync, periodic check, reload). */
  | { kind: 'check'; reason: string }
  /** announce.refreshMs: announce every placed data address again. */
  | { kind: 'refresh' }
  | { kind: 'admin'; cmd: 'offline' | 'undo-offline'; ifname: string }
  /** Another host claimed one of our addresses (src/dad/). */
  | { kind: 'conflict'; conflict: Conflict };

export function probeEvent(ifname: string, v: ProbeVerdict): EngineEvent {
  return {
    type: 'probe', ifname, state: v.state,
    ...(v.lastOkAt !== undefined ? { lastOkAt: v.lastOkAt } : {}),
    ...(v.failingSince !== undefined ? { failingSince: v.failingSince } : {}),
  };
}
