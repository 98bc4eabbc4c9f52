// The client side of `monitor`: one request, then one JSON event per line until the daemon
// closes the connection (it stops, or dropped us for not reading).
import { connect } from 'node:net';
import { ControlUnavailable } from './client.js';
import type { Reply } from './protocol.js';

/** Resolves when the daemon closes the stream; rejects when it cannot be reached or refuses. */
export function monitor(path: string, onEvent: (e: Record<string, unknown>) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sock = connect(path);
    let buffered = '';
    let answered = false;
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ id: 1, cmd: 'monitor' })}\n`));
    sock.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (!answered) {
          answered = true;
          const reply = msg as unknown as Reply;
          if (!reply.ok) {
            sock.destroy();
            reject(new Error(`${reply.error.code}: ${reply.error.message}`));
            return;
          }
          continue;
        }
        onEvent(msg);
      }
    });
    sock.on('close', () => resolve());
    sock.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new ControlUnavailable(`cannot contact ipmpd at ${path}: ${err.code}`) : err);
    });
  });
}
