// The daemon's periodic work: the invariant check (with a short failover rehearsal first, so the
// hot path stays compiled) and, where a group asks for it, keepalived-style announcement refresh.
import type { IpmpConfig } from '../config/model.js';

export const DEFAULT_INVARIANT_CHECK_MS = 20_000;

export function startPeriodic(config: IpmpConfig, on: { check(): void; refresh(): void }): NodeJS.Timeout[] {
  const timers = [setInterval(on.check, config.daemon?.invariantCheckMs ?? DEFAULT_INVARIANT_CHECK_MS)];
  // Announce every placed address again, for peers with long ARP caches.
  const refreshMs = Math.min(...config.groups.map((g) => g.announce.refreshMs ?? Infinity));
  if (Number.isFinite(refreshMs) && refreshMs > 0) timers.push(setInterval(on.refresh, refreshMs));
  return timers;
}
