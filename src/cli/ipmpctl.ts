#!/usr/bin/env node
// ipmpctl: configuration tools (migrate, check, plan) and the live event stream (monitor).
import { runCheck } from './ipmpctl-check.js';
import { runMigrate } from './ipmpctl-migrate.js';
import { runMonitor } from './ipmpctl-monitor.js';
import { runPlan } from './ipmpctl-plan.js';
import { runMain, type Io } from './main.js';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { handleVersion } from './version.js';

const HELP = `Usage: ipmpctl <command> [options]

  migrate DIR [--map A=B ...] [-o FILE] [-j]
        Read a Solaris root (or its etc/) and write the native YAML configuration.
        Findings go to stderr as "severity code file:line message", and into the
        YAML as "# ipmpctl migrate: ..." comments above what they concern; check
        and ipmpd report those comments until they are deleted.
  check PATH [--map A=B ...] [-j]
        Validate a native YAML file or a Solaris directory; print the normalized model.
  plan PATH [--map A=B ...] [-j]
        Print the exact changes (sysctls, links, addresses, routes) applying PATH would
        make on this host now, without making them.
  monitor [-j] [-s SOCKET]
        Print state changes (failover, failback, address-moved, interface-failed,
        interface-repaired, group-failed, group-repaired, offline, online,
        duplicate-address) as they happen, one line each (-j: JSON), until interrupted.
        Needs the root control socket (default ${DEFAULT_SOCKET_PATH}, or IPMPD_SOCKET).

  -h, --help      this text
  --version       print the version and exit

Exit status: 0 no error findings, 1 error findings, 2 usage or unreadable input.
monitor exits 1 when ipmpd cannot be reached or closes the stream.
`;

export async function runIpmpctl(argv: string[], io: Io): Promise<number> {
  if (handleVersion('ipmpctl', argv, io)) return 0;
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'migrate': return runMigrate(rest, io);
    case 'check': return runCheck(rest, io);
    case 'plan': return runPlan(rest, io);
    case 'monitor': return runMonitor(rest, io);
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(HELP);
      return 0;
    default:
      io.stderr.write(cmd ? `ipmpctl: unknown command '${cmd}'\n${HELP}` : HELP);
      return 2;
  }
}

runMain(import.meta.url, runIpmpctl);
