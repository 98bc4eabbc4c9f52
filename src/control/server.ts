// Unix stream control socket: root only (0600 in a 0700 directory), newline-delimited
// JSON, size-limited lines. A misbehaving client gets an error reply or is dropped; it can
// never throw into the daemon.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { MAX_REQUEST_BYTES, requestSchema, type Reply, type Request } from './protocol.js';

export type Handler = (req: Request) => Promise<Reply>;

export class ControlServer {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();

  private constructor(private readonly path: string, private readonly handler: Handler, private readonly log: Logger) {
    this.server = createServer((c) => this.accept(c));
  }

  static async listen(path: string, handler: Handler, log: Logger): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // A stale socket from a crashed run would make listen() fail with EADDRINUSE.
    rmSync(path, { force: true });
    const s = new ControlServer(path, handler, log);
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.server.listen(path, () => { s.server.off('error', reject); resolve(); });
      });
    } finally {
      process.umask(oldMask);
    }
    chmodSync(path, 0o600);
    s.server.on('error', (err) => log.error({ err }, 'control socket error'));
    return s;
  }

  private accept(c: Socket): void {
    this.clients.add(c);
    c.setEncoding('utf8');
    let buffered = '';
    c.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES && !buffered.includes('\n')) {
        this.write(c, { id: 0, ok: false, error: { code: 'E2BIG', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } });
        c.end();
        buffered = '';
        return;
      }
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() !== '') void this.dispatch(c, line);
      }
    });
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
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      const rid = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : 0;
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'request';
      this.write(c, { id: rid, ok: false, error: { code: 'EBADREQ', message: `${where}: ${issue?.message ?? 'invalid'}` } });
      return;
    }
    try {
      this.write(c, await this.handler(parsed.data));
    } catch (err) {
      this.log.error({ err, cmd: parsed.data.cmd }, 'control request failed');
      this.write(c, { id: parsed.data.id, ok: false, error: { code: 'EINTERNAL', message: (err as Error).message } });
    }
  }

  private write(c: Socket, reply: Reply): void {
    if (!c.destroyed) c.write(`${JSON.stringify(reply)}\n`);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}
