// Control socket requests → daemon actions. Status is read-only; offline / undo-offline go
// through the event path like every other input; reload re-reads the configuration.
import type { Reply, Request } from '../control/protocol.js';
import type { StatusSnapshot } from '../control/status.js';
import type { ProbeManager } from '../probe/manager.js';
import type { EventPath } from './event-path.js';
import { ControlServer } from '../control/server.js';
import { readOnlySocketPath } from '../control/socket-path.js';
import type { Logger } from '../log.js';
import type { StateStream } from './state-stream.js';

export interface ControlContext {
  events: EventPath;
  probes: ProbeManager;
  reload(): Promise<boolean>;
}

export async function handleRequest(req: Request, ctx: ControlContext): Promise<Reply> {
  switch (req.cmd) {
    case 'ping':
      return { id: req.id, ok: true, result: { pid: process.pid } };
    case 'status':
      return { id: req.id, ok: true, result: status(ctx) };
    case 'probes': {
      // The daemon's clock is the reference: the client passes nowMs back as its next sinceMs.
      const nowMs = performance.timeOrigin + performance.now();
      return { id: req.id, ok: true, result: { probes: ctx.probes.recentProbes(req.sinceMs), nowMs } };
    }
    case 'offline':
    case 'undo-offline': {
      const r = await ctx.events.handle({ kind: 'admin', cmd: req.cmd, ifname: req.ifname });
      if (r && !r.ok) return { id: req.id, ok: false, error: { code: r.code ?? 'EFAIL', message: r.message ?? 'refused' } };
      return { id: req.id, ok: true, result: null };
    }
    case 'monitor':
      // Streamed by the control server itself (it owns the connection); never reaches here.
      return { id: req.id, ok: false, error: { code: 'ENOTSUP', message: 'monitor is served by the control server' } };
    case 'reload': {
      const ok = await ctx.reload();
      return ok ? { id: req.id, ok: true, result: null } : { id: req.id, ok: false, error: { code: 'ECONFIG', message: 'configuration has errors; kept the running one' } };
    }
  }
}

/** The engine's view plus what only the probe detector knows (targets, adapted FDT). */
function status(ctx: ControlContext): StatusSnapshot {
  const s = ctx.events.snapshot();
  const dup = ctx.events.duplicateAddresses();
  return {
    ...s,
    addresses: dup.size === 0 ? s.addresses : s.addresses.map((a) => (dup.has(a.address) ? { ...a, state: 'duplicate' as const } : a)),
    groups: s.groups.map((g) => ({ ...g, fdtMs: ctx.probes.fdtMs(g.groupname) })),
    targets: ctx.probes.snapshotTargets(),
  };
}

/**
 * The root socket (every command) and the world-connectable read-only one (ipmpstat for every
 * user, as on Solaris). The read-only socket failing to open is logged, not fatal.
 */
export async function openControlSockets(socketPath: string, ctx: ControlContext, events: StateStream, log: Logger): Promise<ControlServer[]> {
  const handler = (req: Request): Promise<Reply> => handleRequest(req, ctx);
  const servers = [await ControlServer.listen(socketPath, handler, log.child({ component: 'control' }), { events })];
  try {
    servers.push(await ControlServer.listen(readOnlySocketPath(socketPath), handler, log.child({ component: 'control-ro' }), { readOnly: true, maxConnections: 16 }));
  } catch (err) {
    log.error({ err }, `cannot open the read-only socket ${readOnlySocketPath(socketPath)}; ipmpstat works for root only`);
  }
  return servers;
}
