// The /metrics endpoint on node:http, bound to the configured address only. Bounded so a
// misbehaving scraper cannot cost the daemon much: a few connections at a time, short
// timeouts, no request bodies read, and only GET /metrics answered (404 otherwise).
import { createServer, type Server } from 'node:http';
import type { Logger } from '../log.js';
import type { ListenAddress } from './listen.js';

export interface Exposition {
  expose(): Promise<string>;
  readonly contentType: string;
}

const MAX_CONNECTIONS = 4;
const TIMEOUT_MS = 5_000;

export class MetricsServer {
  private constructor(private readonly server: Server, readonly address: ListenAddress) {}

  static listen(at: ListenAddress, source: Exposition, log: Logger): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('not found\n');
        return;
      }
      source.expose().then(
        (text) => { res.writeHead(200, { 'content-type': source.contentType }).end(text); },
        (err: unknown) => {
          log.error({ err }, 'metrics collection failed');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collection failed\n');
        },
      );
    });
    server.maxConnections = MAX_CONNECTIONS;
    server.requestTimeout = TIMEOUT_MS;
    server.headersTimeout = TIMEOUT_MS;
    server.keepAliveTimeout = TIMEOUT_MS;
    server.maxHeadersCount = 32;
    server.setTimeout(TIMEOUT_MS, (socket) => socket.destroy());
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => log.error({ err }, 'metrics endpoint error'));
        resolve(new MetricsServer(server, at));
      });
    });
  }

  /** The bound port (the configured one; tests bind port 0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : this.address.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
