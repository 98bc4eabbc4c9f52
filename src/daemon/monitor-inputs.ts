// Netlink notifications → the daemon's inputs: event-path inputs for the engine, a refresh of
// the probe detector's routes and addresses (once per burst), and the member-set chores a
// link appearing, vanishing or being renamed calls for (sysctls, conflict watching).
import type { MonitorEvent } from '../netlink/monitor.js';
import type { Link } from '../netlink/types.js';
import type { EventPath } from './event-path.js';

export interface MonitorInputTargets {
  events: EventPath;
  /** Routes and addresses changed: the probe detector re-reads them (debounced by the caller). */
  probeInputsChanged(): void;
  /** A link appeared, vanished or changed name: it may be a member now, or no longer. */
  membersMayHaveChanged(link: Link, removed: boolean): void;
}

export function routeMonitorEvent(e: MonitorEvent, t: MonitorInputTargets): void {
  switch (e.kind) {
    case 'link-added':
    case 'link-changed':
    case 'link-up':
    case 'link-down':
    case 'link-removed':
      void t.events.handle({ kind: 'link', link: e.link as Link, removed: e.kind === 'link-removed' });
      if (e.kind === 'link-added' || e.kind === 'link-removed' || e.kind === 'link-changed') t.membersMayHaveChanged(e.link as Link, e.kind === 'link-removed');
      return;
    case 'address-added':
    case 'address-removed':
      t.probeInputsChanged();
      void t.events.handle({ kind: 'address', added: e.kind === 'address-added', address: e.address });
      return;
    case 'route-added':
      t.probeInputsChanged();
      return;
    case 'route-removed':
      t.probeInputsChanged();
      void t.events.handle({ kind: 'route-removed', route: e.route });
      return;
    default:
      return;
  }
}
