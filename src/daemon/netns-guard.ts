// One ipmpd per network namespace, whatever --socket says. An abstract unix socket lives in
// the network namespace (not the file system) and vanishes with its process, even after
// kill -9: binding it is the lock. A second daemon that finds it taken asks the holder for
// its pid, so the refusal can name it.
import { createConnection, createServer, type Server } from 'node:net';

/** The abstract name (leading NUL): per network namespace by the kernel's design. */
export const GUARD_NAME = '\0ipmpd.instance';

export class NetnsGuard {
  private constructor(private readonly server: Server) {}

  /** Takes the guard, or rejects with "ipmpd already running (pid N) in this network namespace". */
  static take(name = GUARD_NAME): Promise<NetnsGuard> {
    return new Promise((resolve, reject) => {
      const server = createServer((c) => c.end(`${process.pid}\n`));
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') return reject(err);
        void holderPid(name).then((pid) => reject(new Error(`ipmpd already running${pid ? ` (pid ${pid})` : ''} in this network namespace`)));
      });
      server.listen(name, () => {
        server.unref(); // the guard alone never keeps the process alive
        resolve(new NetnsGuard(server));
      });
    });
  }

  release(): void {
    this.server.close();
  }
}

/** Asks the holder for its pid; undefined if it does not say within a moment. */
function holderPid(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const c = createConnection(name);
    const timer = setTimeout(() => { c.destroy(); resolve(undefined); }, 500);
    c.setEncoding('utf8');
    c.on('data', (d: string) => { text += d.slice(0, 32); });
    c.on('error', () => { clearTimeout(timer); resolve(undefined); });
    c.on('close', () => {
      clearTimeout(timer);
      const pid = Number.parseInt(text, 10);
      resolve(Number.isInteger(pid) && pid > 0 ? pid : undefined);
    });
  });
}
