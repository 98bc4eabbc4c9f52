#!/usr/bin/env node
// if_mpadm -d IF (offline) / -r IF (undo offline), as on Solaris: the daemon decides, this
// tool only asks and prints the answer. Exit 0 on success, 1 on any failure.
import { request, ControlUnavailable } from '../control/client.js';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { runMain, type Io } from './main.js';
import { handleVersion } from './version.js';

const USAGE = 'Usage: if_mpadm [-s socket] -d | -r <interface_name>';

export async function runIfMpadm(argv: string[], io: Io): Promise<number> {
  if (handleVersion('if_mpadm', argv, io)) return 0;
  let socket = process.env.IPMPD_SOCKET ?? DEFAULT_SOCKET_PATH;
  let op: 'offline' | 'undo-offline' | undefined;
  let ifname: string | undefined;
  const args = [...argv];
  while (args.length > 0) {
    const a = args.shift();
    if (a === '-h' || a === '--help') { io.stdout.write(`${USAGE}\n  -d IF  offline IF: move its data addresses to other members\n  -r IF  undo a previous offline\n  -s SOCKET  control socket (default ${DEFAULT_SOCKET_PATH}, or IPMPD_SOCKET)\n  -h, --help  this text\n  --version  print the version and exit\n`); return 0; }
    if (a === '-s') { socket = args.shift() ?? ''; continue; }
    if ((a === '-d' || a === '-r') && op === undefined) {
      op = a === '-d' ? 'offline' : 'undo-offline';
      ifname = args.shift();
      continue;
    }
    io.stderr.write(`${USAGE}\n`);
    return 1;
  }
  if (!op || !ifname) {
    io.stderr.write(`${USAGE}\n`);
    return 1;
  }
  try {
    const reply = await request(socket, { cmd: op, ifname });
    if (reply.ok) return 0;
    io.stderr.write(`if_mpadm: ${reply.error.message}\n`);
    return 1;
  } catch (err) {
    const msg = err instanceof ControlUnavailable ? 'cannot contact ipmpd -- is IPMP in use?' : (err as Error).message;
    io.stderr.write(`if_mpadm: ${msg}\n`);
    return 1;
  }
}

runMain(import.meta.url, runIfMpadm);
