// One request, one reply over the control socket, with a deadline.
import { connect } from 'node:net';
import type { Reply, Request } from './protocol.js';

export class ControlUnavailable extends Error {}

type Body = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export async function request(path: string, body: Body, timeoutMs = 5000): Promise<Reply> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise<Reply>((resolve, reject) => {
    const sock = connect(path);
    let buffered = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no reply from ipmpd within ${timeoutMs} ms`)); }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ ...body, id })}\n`));
    sock.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      try {
        resolve(JSON.parse(buffered.slice(0, nl)) as Reply);
      } catch (err) {
        reject(err as Error);
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new ControlUnavailable(`cannot contact ipmpd at ${path}: ${err.code}`) : err);
    });
  });
}
