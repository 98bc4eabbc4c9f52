#!/usr/bin/env -S node --max-semi-space-size=1
// ipmpd: the IPMP daemon. Foreground; systemd (Type=notify) or a shell runs it.
// A 1 MB young generation: the daemon allocates little, and the default (up to 16 MB) only
// inflates RSS (bench footprint: −4 MB idle). The .deb wrapper and the tests take this line.
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import type { LoadResult } from '../config/load.js';
import { sourcesFromEnv } from '../daemon/coexistence.js';
import { Daemon } from '../daemon/daemon.js';
import { InstanceLock } from '../daemon/instance-lock.js';
import { NetnsGuard } from '../daemon/netns-guard.js';
import { checkConfig, checkPrivileges, checkSocketPaths, prepareSocketDir } from '../daemon/preflight.js';
import { Notifier } from '../daemon/sd-notify.js';
import { createLogger, defaultLogFormat, LOG_FORMATS, type LogFormat } from '../log.js';
import { parseMapArgs } from './map-arg.js';
import { isMain, type Io } from './main.js';
import { handleVersion } from './version.js';

export const DEFAULT_CONFIG_PATH = '/etc/ipmpd/ipmpd.yaml';

const HELP = `Usage: ipmpd [--config PATH] [--map A=B ...] [--socket PATH] [--log-level LEVEL]
             [--log-format text|json]

IP multipathing daemon: keeps every data address of each IPMP group on a working NIC,
announces every move (gratuitous ARP / unsolicited NA) and fails back on repair.

  --config PATH     native YAML file, or a Solaris root / etc directory (default ${DEFAULT_CONFIG_PATH})
  --map A=B         rename Solaris NIC A to Linux NIC B (repeatable, or A=B,C=D)
  --socket PATH     control socket for ipmpstat / if_mpadm (default ${DEFAULT_SOCKET_PATH});
                    beside it: ipmpd.lock (one daemon per directory) and the read-only
                    socket <name>-ro.sock that ipmpstat uses for users other than root
  --log-level L     trace|debug|info|warn|error (default info); logs go to stdout
  --log-format F    text (one readable line per event) or json (one object per line);
                    default text when stdout is a terminal, json otherwise (journald)
  -h, --help        this text
  --version         print the version and exit

Signals: SIGHUP reloads the configuration (only differences are applied); SIGTERM stops and
leaves addresses in place (daemon.removeAddressesOnExit changes that).
A configuration with errors is refused at start and at reload; nothing is changed.
Start-up problems (privileges, another ipmpd, the socket path, the configuration) print one
line "ipmpd: ..." on stderr and exit 1 before anything is changed.
`;

export async function runIpmpd(argv: string[], io: Io): Promise<number> {
  if (handleVersion('ipmpd', argv, io)) return 0;
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', default: DEFAULT_CONFIG_PATH },
        map: { type: 'string', multiple: true, default: [] },
        socket: { type: 'string', default: DEFAULT_SOCKET_PATH },
        'log-level': { type: 'string', default: 'info' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`ipmpd: ${(err as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  const level = values['log-level'];
  if (!levels.includes(level)) {
    io.stderr.write(`ipmpd: --log-level must be one of ${levels.join(', ')}\n`);
    return 2;
  }
  const format = values['log-format'] ?? defaultLogFormat(process.stdout.isTTY);
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    io.stderr.write(`ipmpd: --log-format must be one of ${LOG_FORMATS.join(', ')}\n`);
    return 2;
  }
  const map = parseMapArgs(values.map);
  if ('error' in map) {
    io.stderr.write(`ipmpd: ${map.error}\n`);
    return 2;
  }
  const notifier = new Notifier();
  const log = createLogger({ level: level as 'info', format: format as LogFormat, journal: notifier.enabled || process.env.JOURNAL_STREAM !== undefined });
  const source = { path: values.config, map: map.map };
  let lock: InstanceLock | undefined;
  let guard: NetnsGuard | undefined;
  // Everything that can fail at start ends here: one line for humans, one for the journal.
  const fail = (reason: string, err?: unknown): number => {
    log.fatal(err instanceof Error ? { err: { type: err.name, message: err.message } } : {}, `ipmpd cannot start: ${reason}`);
    io.stderr.write(`ipmpd: ${reason}\n`);
    guard?.release();
    lock?.release();
    notifier.close();
    return 1;
  };
  let loaded: LoadResult;
  try {
    checkPrivileges();
    prepareSocketDir(values.socket);
    lock = InstanceLock.acquire(dirname(values.socket));
    guard = await NetnsGuard.take();
    await checkSocketPaths(values.socket);
    loaded = await checkConfig(source);
  } catch (err) {
    return fail((err as Error).message);
  }
  // Signal handlers go in before the daemon starts: READY=1 is sent from inside start, and a
  // SIGHUP arriving before a handler exists would kill the process (its default action).
  // Signals that arrive during start are acted on once it is done.
  let daemon: Daemon | undefined;
  let pending: 'reload' | 'stop' | undefined;
  let stopped: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { stopped = resolve; });
  const shutdown = (sig: string): void => {
    log.info({ signal: sig }, `received ${sig}, stopping`);
    if (!daemon) {
      pending = 'stop';
      return;
    }
    daemon.stop().then(() => stopped(0), (err: unknown) => {
      log.error({ err }, 'error while stopping');
      stopped(1);
    });
  };
  const reload = (): void => {
    log.info('received SIGHUP, reloading configuration');
    if (!daemon) {
      pending ??= 'reload';
      return;
    }
    daemon.reload().catch((err: unknown) => log.error({ err }, 'reload failed'));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', reload);
  try {
    daemon = await Daemon.start({ source, loaded, socketPath: values.socket, log, notifier, coexistence: sourcesFromEnv(process.env) });
  } catch (err) {
    return fail((err as Error).message, err);
  }
  if (pending === 'stop') shutdown('SIGTERM');
  else if (pending === 'reload') reload();
  const code = await done;
  guard?.release();
  lock?.release();
  notifier.close();
  return code;
}

// Exit as soon as run() is done: whatever a failed start left open, or a timer still armed
// after stop, must not keep the process (and systemd) waiting.
if (isMain(import.meta.url)) {
  runIpmpd(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`ipmpd: ${(err as Error).message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
