// Unix stream control socket: newline-delimited JSON, size-limited lines. The main socket is
// root only (0600); a read-only one (0666) serves ping/status/probes to every user, as
// ipmpstat does on Solaris. A misbehaving client gets an error reply or is dropped; it can
// never throw into the daemon, hold more than a bounded amount of memory, or pin an fd forever.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { LogAggregator } from '../log-aggregate.js';
import type { Logger } from '../log.js';
import { MAX_REQUEST_BYTES, parseRequest, type Command, type Reply, type Request } from './protocol.js';
import { claimSocketPath, releaseSocketPath, SocketPathInUse } from './socket-path.js';

export type Handler = (req: Request) => Promise<Reply>;

/** What the read-only socket serves: nothing that changes state. */
/** As on Solaris: every user may read the status; live probes (ipmpstat -p) stay root's. */
export const READ_ONLY_COMMANDS: ReadonlySet<Command> = new Set(['ping', 'status']);

/** Where `monitor` connections get their events (the daemon's StateStream). */
export interface EventSource {
  subscribe(listener: (event: unknown) => void): () => void;
}

export interface ControlServerOptions {
  /** Serves `monitor`; without it the command is refused. */
  events?: EventSource;
  /** Serve READ_ONLY_COMMANDS only, to every local user (mode 0666). */
  readOnly?: boolean;
  maxConnections?: number;
  /** Requests of one connection being handled at once; more are left unread. */
  maxInFlight?: number;
  /** Reply bytes queued for a client before its requests stop being read. */
  maxQueuedReplyBytes?: number;
  idleTimeoutMs?: number;
  maxLineBytes?: number;
}

const DEFAULTS = {
  maxConnections: 64,
  maxInFlight: 4,
  maxQueuedReplyBytes: 256 * 1024,
  idleTimeoutMs: 30_000,
  maxLineBytes: MAX_REQUEST_BYTES,
};

export class ControlServer {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private readonly opts: typeof DEFAULTS & { readOnly: boolean; events?: EventSource };
  /** Refusals are logged once per client, and at most one line per kind per window. */
  private readonly refusals: LogAggregator;
  private ino: number | undefined;
  /** Connections already streaming events: a second `monitor` on one would double every event. */
  private readonly monitoring = new WeakSet<Socket>();

  private constructor(private readonly path: string, private readonly handler: Handler, private readonly log: Logger, opts: ControlServerOptions) {
    this.opts = { ...DEFAULTS, readOnly: false, ...opts };
    this.refusals = new LogAggregator({ onSummary: (s) => log.warn({ refused: s.key, count: s.count }, `control socket ${path}: ${s.text}`) });
    this.server = createServer((c) => this.accept(c));
    this.server.maxConnections = this.opts.maxConnections;
    this.server.on('drop', () => this.refuse('connection limit', `connection refused: ${this.opts.maxConnections} clients already connected`));
  }

  static async listen(path: string, handler: Handler, log: Logger, opts: ControlServerOptions = {}): Promise<ControlServer> {
    // 0755: the read-only socket must be reachable; the main socket's own mode keeps it root-only.
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    await claimSocketPath(path);
    const s = new ControlServer(path, handler, log, opts);
    // Bound under a private name and linked into place: link() never replaces a file that
    // appeared meanwhile, and libuv's unconditional unlink at close hits only the private name.
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.server.listen(tmp, () => { s.server.off('error', reject); resolve(); });
      });
    } finally {
      process.umask(oldMask);
    }
    try {
      chmodSync(tmp, s.opts.readOnly ? 0o666 : 0o600);
      linkSync(tmp, path);
    } catch (e) {
      await new Promise<void>((r) => s.server.close(() => r()));
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SocketPathInUse(`${path} appeared while binding; refusing to replace it`);
      throw e;
    }
    rmSync(tmp, { force: true });
    s.ino = statSync(path).ino;
    s.server.on('error', (err) => log.error({ err }, 'control socket error'));
    return s;
  }

  get connections(): number {
    return this.clients.size;
  }

  private refuse(kind: string, message: string): void {
    if (this.refusals.admit(kind, 'refusals')) this.log.warn({ refused: kind }, `control socket ${this.path}: ${message}`);
  }

  private accept(c: Socket): void {
    this.clients.add(c);
    c.setEncoding('utf8');
    c.setTimeout(this.opts.idleTimeoutMs, () => {
      this.refuse('idle', `client idle for ${this.opts.idleTimeoutMs} ms, disconnected`);
      c.destroy();
    });
    let buffered = '';
    let inFlight = 0;
    let closing = false;
    // Reads only while the client has room: few requests in flight, its replies being read.
    const pump = (): void => {
      let nl: number;
      while (!closing && inFlight < this.opts.maxInFlight && c.writableLength < this.opts.maxQueuedReplyBytes && (nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        inFlight++;
        void this.dispatch(c, line).finally(() => { inFlight--; pump(); });
      }
      if (closing || c.destroyed) return;
      const full = inFlight >= this.opts.maxInFlight || c.writableLength >= this.opts.maxQueuedReplyBytes;
      if (full && !c.isPaused()) c.pause();
      else if (!full && c.isPaused()) c.resume();
    };
    c.on('data', (chunk: string) => {
      buffered += chunk;
      const firstLine = buffered.indexOf('\n');
      if (firstLine > this.opts.maxLineBytes || (firstLine < 0 && buffered.length > this.opts.maxLineBytes)) {
        this.refuse('request too long', `request longer than ${this.opts.maxLineBytes} bytes, client dropped`);
        this.write(c, { id: 0, ok: false, error: { code: 'E2BIG', message: `request longer than ${this.opts.maxLineBytes} bytes` } });
        closing = true;
        buffered = '';
        c.end();
        return;
      }
      pump();
    });
    c.on('drain', pump);
    c.on('error', (err) => this.log.debug({ err }, 'control client error'));
    c.on('close', () => this.clients.delete(c));
  }

  private async dispatch(c: Socket, line: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.write(c, { id: 0, ok: false, error: { code: 'EBADREQ', message: 'request is not JSON' } });
      return;
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      const rid = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : 0;
      this.write(c, { id: rid, ok: false, error: { code: 'EBADREQ', message: `${parsed.where}: ${parsed.message}` } });
      return;
    }
    const req = parsed.request;
    if (this.opts.readOnly && !READ_ONLY_COMMANDS.has(req.cmd)) {
      this.write(c, { id: req.id, ok: false, error: { code: 'EPERM', message: `"${req.cmd}" needs the root control socket; this one is read-only` } });
      return;
    }
    if (req.cmd === 'monitor') {
      this.monitor(c, req.id);
      return;
    }
    try {
      this.write(c, await this.handler(req));
    } catch (err) {
      this.log.error({ err, cmd: req.cmd }, 'control request failed');
      this.write(c, { id: req.id, ok: false, error: { code: 'EINTERNAL', message: (err as Error).message } });
    }
  }

  /**
   * Streams events on this connection until it closes. Bounded like replies: a reader that
   * lets maxQueuedReplyBytes pile up is dropped rather than buffered for (a monitor that is
   * not read must not grow the daemon's memory). No idle timeout: quiet is normal here.
   */
  private monitor(c: Socket, id: number): void {
    const events = this.opts.events;
    if (!events) {
      this.write(c, { id, ok: false, error: { code: 'ENOTSUP', message: 'this socket does not stream events' } });
      return;
    }
    if (this.monitoring.has(c)) {
      this.write(c, { id, ok: false, error: { code: 'EBUSY', message: 'this connection is already monitoring' } });
      return;
    }
    this.monitoring.add(c);
    this.write(c, { id, ok: true, result: { monitoring: true } });
    this.log.debug('monitor client subscribed to state events');
    c.setTimeout(0);
    const unsubscribe = events.subscribe((e: unknown) => {
      if (c.destroyed || !c.writable) return;
      if (c.writableLength >= this.opts.maxQueuedReplyBytes) {
        this.refuse('slow monitor', `monitor client not reading (${c.writableLength} bytes queued), dropped`);
        unsubscribe();
        c.destroy();
        return;
      }
      c.write(`${JSON.stringify(e)}\n`);
    });
    c.once('close', unsubscribe);
  }

  private write(c: Socket, reply: Reply): void {
    if (!c.destroyed && c.writable) c.write(`${JSON.stringify(reply)}\n`);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.refusals.close();
    releaseSocketPath(this.path, this.ino);
  }
}
