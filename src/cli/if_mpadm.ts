#!/usr/bin/env node
// if_mpadm -d IF (offline) / -r IF (undo offline), as on Solaris: the daemon decides, this
// tool only asks. What it prints and its exit status are illumos if_mpadm's (illumos-texts.ts),
// because scripts match them: the daemon's reply codes are mapped to those texts here.
import { existsSync } from 'node:fs';
import { request, ControlUnavailable } from '../control/client.js';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import {
  EXIT_FAILURE, IF_MPADM_USAGE, IPMP_EHWADDRDUP, IPMP_ENOMPATHD, IPMP_EPROTO, MPADM_EMINRED, MPADM_EUNKIF, STRERROR_EACCES,
  alreadyOffline, cannotOffline, cannotUndoOffline, getoptIllegal, getoptNeedsArg, ifMpadmDie, noSuchInterface, notOffline,
} from './illumos-texts.js';
import { runMain, type Io } from './main.js';
import { handleVersion } from './version.js';

type Op = 'offline' | 'undo-offline';

interface Parsed { op?: Op; ifname?: string; socket?: string; usage?: string }

/** getopt("d:r:") plus our "s:": the last -d/-r wins and operands after the options are ignored, as there. */
export function parseIfMpadmArgs(argv: readonly string[]): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') break;
    const c = arg[1] as string;
    if (c !== 'd' && c !== 'r' && c !== 's') return { usage: getoptIllegal('if_mpadm', c) };
    let value = arg.slice(2);
    if (value === '') {
      if (i + 1 >= argv.length) return { usage: getoptNeedsArg('if_mpadm', c) };
      value = argv[++i] as string;
    }
    if (c === 's') out.socket = value;
    else { out.op = c === 'd' ? 'offline' : 'undo-offline'; out.ifname = value; }
  }
  return out;
}

/** Whether `ifname` names a link here; only picks the wording when the daemon does not know it. */
function linkExists(ifname: string): boolean {
  if (!/^[^\s/:]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..') return false;
  return existsSync(`/sys/class/net/${ifname}`);
}

/** The illumos text for a refusal from the daemon (engine codes EUNKIF, EMINRED, EALREADY, ENOTOFFLINE, EHWADDRDUP). */
export function refusalText(op: Op, ifname: string, code: string, message: string, exists: (n: string) => boolean = linkExists): string {
  // illumos checks IFF_OFFLINE itself before asking in.mpathd, so an unknown name fails that
  // ioctl, and a known NIC outside any group is simply "not offline" for -r.
  if (code === 'EUNKIF' && !exists(ifname)) return noSuchInterface(ifname);
  if (op === 'offline') {
    if (code === 'EALREADY') return alreadyOffline(ifname);
    if (code === 'EMINRED') return cannotOffline(ifname, MPADM_EMINRED);
    if (code === 'EUNKIF') return cannotOffline(ifname, MPADM_EUNKIF);
    return cannotOffline(ifname, message);
  }
  if (code === 'ENOTOFFLINE' || code === 'EUNKIF') return notOffline(ifname);
  if (code === 'EHWADDRDUP') return cannotUndoOffline(ifname, IPMP_EHWADDRDUP);
  return cannotUndoOffline(ifname, message);
}

/** libipmp's words for a failure to reach or talk to the daemon. */
function transportText(err: unknown): string {
  if (err instanceof ControlUnavailable) return IPMP_ENOMPATHD;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return STRERROR_EACCES; // not root: the socket is 0600
  return IPMP_EPROTO;
}

const HELP = `${IF_MPADM_USAGE}
  -d IF  offline IF: move its data addresses to other members
  -r IF  undo a previous offline
  -s SOCKET  control socket (default ${DEFAULT_SOCKET_PATH}, or IPMPD_SOCKET)
  -h, --help  this text
  --version  print the version and exit
`;

export async function runIfMpadm(argv: string[], io: Io): Promise<number> {
  if (handleVersion('if_mpadm', argv, io)) return 0;
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) { io.stdout.write(HELP); return 0; }
  const args = parseIfMpadmArgs(argv);
  if (args.usage !== undefined || !args.op || args.ifname === undefined) {
    io.stderr.write(`${args.usage !== undefined ? `${args.usage}\n` : ''}${IF_MPADM_USAGE}\n`);
    return EXIT_FAILURE;
  }
  const { op, ifname } = args;
  const die = (text: string): number => { io.stderr.write(`${ifMpadmDie(text)}\n`); return EXIT_FAILURE; };
  // The daemon's protocol refuses such a name outright; illumos would not find the interface.
  if (!/^[^\s/:]{1,15}$/.test(ifname)) return die(noSuchInterface(ifname));
  try {
    const reply = await request(args.socket ?? process.env.IPMPD_SOCKET ?? DEFAULT_SOCKET_PATH, { cmd: op, ifname });
    if (reply.ok) return 0;
    return die(refusalText(op, ifname, reply.error.code, reply.error.message));
  } catch (err) {
    const why = transportText(err);
    return die(op === 'offline' ? cannotOffline(ifname, why) : cannotUndoOffline(ifname, why));
  }
}

runMain(import.meta.url, runIfMpadm);
