// sd_notify(3) over the addon's AF_UNIX datagram socket: READY=1 once the initial state is
// applied, WATCHDOG=1 pings at half of WatchdogSec, RELOADING/STOPPING around HUP and exit.
import { AF_UNIX, SOCK_DGRAM } from '../sys/constants.js';
import { Socket } from '../sys/socket.js';

export class Notifier {
  private socket: Socket | undefined;
  private readonly path: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const p = env.NOTIFY_SOCKET;
    // A leading '@' names a socket in the abstract namespace.
    this.path = p ? (p.startsWith('@') ? `\0${p.slice(1)}` : p) : undefined;
    const usec = Number(env.WATCHDOG_USEC ?? 0);
    const pid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
    this.watchdogMs = usec > 0 && pid === process.pid ? usec / 1000 : 0;
  }

  readonly watchdogMs: number;

  get enabled(): boolean { return this.path !== undefined; }

  send(state: string): void {
    if (this.path === undefined) return;
    this.socket ??= new Socket(AF_UNIX, SOCK_DGRAM, 0);
    this.socket.send(Buffer.from(state), { family: 'unix', path: this.path });
  }

  /** Starts WATCHDOG=1 pings; `healthy` lets the daemon withhold pings when its loop is wedged. */
  startWatchdog(healthy: () => boolean = () => true): void {
    if (this.watchdogMs <= 0 || this.path === undefined) return;
    this.watchdog = setInterval(() => { if (healthy()) this.send('WATCHDOG=1'); }, this.watchdogMs / 2);
    this.watchdog.unref();
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.socket?.close();
  }
}
