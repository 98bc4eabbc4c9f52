#!/usr/bin/env node
// ipmpd: the IPMP daemon. Foreground; systemd (Type=notify) or a shell runs it.
import { parseArgs } from 'node:util';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { Daemon } from '../daemon/daemon.js';
import { Notifier } from '../daemon/sd-notify.js';
import { createLogger } from '../log.js';
import { parseMapArgs } from './map-arg.js';
import { runMain, type Io } from './main.js';

export const DEFAULT_CONFIG_PATH = '/etc/ipmpd/ipmpd.yaml';

const HELP = `Usage: ipmpd [--config PATH] [--map A=B ...] [--socket PATH] [--log-level LEVEL]

IP multipathing daemon: keeps every data address of each IPMP group on a working NIC,
announces every move (gratuitous ARP / unsolicited NA) and fails back on repair.

  --config PATH     native YAML file, or a Solaris root / etc directory (default ${DEFAULT_CONFIG_PATH})
  --map A=B         rename Solaris NIC A to Linux NIC B (repeatable, or A=B,C=D)
  --socket PATH     control socket for ipmpstat / if_mpadm (default ${DEFAULT_SOCKET_PATH})
  --log-level L     trace|debug|info|warn|error (default info); logs are JSON on stdout
  -h, --help        this text

Signals: SIGHUP reloads the configuration (only differences are applied); SIGTERM stops and
leaves addresses in place (daemon.removeAddressesOnExit changes that).
A configuration with errors is refused at start and at reload; nothing is changed.
`;

async function run(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', default: DEFAULT_CONFIG_PATH },
        map: { type: 'string', multiple: true, default: [] },
        socket: { type: 'string', default: DEFAULT_SOCKET_PATH },
        'log-level': { type: 'string', default: 'info' },
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
  const map = parseMapArgs(values.map);
  if ('error' in map) {
    io.stderr.write(`ipmpd: ${map.error}\n`);
    return 2;
  }
  const notifier = new Notifier();
  const log = createLogger({ level: level as 'info', journal: notifier.enabled || process.env.JOURNAL_STREAM !== undefined });
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ source: { path: values.config, map: map.map }, socketPath: values.socket, log, notifier });
  } catch (err) {
    log.fatal({ err }, `ipmpd cannot start: ${(err as Error).message}`);
    notifier.close();
    return 1;
  }
  return new Promise<number>((resolve) => {
    const shutdown = (sig: string) => {
      log.info({ signal: sig }, `received ${sig}, stopping`);
      daemon.stop().then(() => { notifier.close(); resolve(0); }, (err: unknown) => {
        log.error({ err }, 'error while stopping');
        notifier.close();
        resolve(1);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      log.info('received SIGHUP, reloading configuration');
      daemon.reload().catch((err: unknown) => log.error({ err }, 'reload failed'));
    });
  });
}

runMain(import.meta.url, run);
