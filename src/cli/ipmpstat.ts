#!/usr/bin/env node
// ipmpstat: Solaris columns (or -j JSON) from the daemon's status snapshot.
import { readFileSync } from 'node:fs';
import { request, ControlUnavailable } from '../control/client.js';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { readOnlySocketPath } from '../control/socket-path.js';
import type { StatusSnapshot } from '../control/status.js';
import { IPMPSTAT_USAGE, parseIpmpstatArgs } from './ipmpstat-args.js';
import { createProbeLineRenderer, renderIpmpstat, renderIpmpstatJson, renderProbeJson, type NameResolver } from './ipmpstat-render.js';
import type { ProbeRecord } from '../control/status.js';
import type { IpmpstatArgs } from './ipmpstat-args.js';
import { runMain, type Io } from './main.js';
import { handleVersion } from './version.js';
import { resolveNames } from './name-lookup.js';
import { CANNOT_CONTACT, EXIT_FAILURE, PROBES_DISABLED, cannotSnapshot, ipmpstatDie } from './illumos-texts.js';

/** Every address ipmpstat may print as a name. */
function snapshotAddresses(s: StatusSnapshot): string[] {
  return [
    ...s.addresses.map((a) => a.address),
    ...s.targets.flatMap((t) => [...(t.testAddress ? [t.testAddress] : []), ...t.targets]),
  ];
}

/** Address → first host name in /etc/hosts, for the live probe lines (-p), which cannot wait on lookups. */
function hostsResolver(path = '/etc/hosts'): NameResolver {
  const names = new Map<string, string>();
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [addr, name] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (addr && name && !names.has(addr)) names.set(addr, name.split('.')[0] ?? name);
    }
  } catch {
    // No hosts file: every address prints numerically, as getnameinfo would.
  }
  return (a) => names.get(a);
}

export async function runIpmpstat(argv: string[], io: Io): Promise<number> {
  if (handleVersion('ipmpstat', argv, io)) return 0;
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) {
    io.stdout.write(`${IPMPSTAT_USAGE}\n\nThe daemon is reached at ${DEFAULT_SOCKET_PATH} (override with IPMPD_SOCKET); users other than root\nare served through the read-only socket beside it, ${readOnlySocketPath(DEFAULT_SOCKET_PATH)}.\n`);
    // Our extensions, kept out of the usage text that illumos prints on errors.
    io.stdout.write('  -j  display as JSON\n  -h, --help  this text\n  --version   print the version and exit\n');
    return 0;
  }
  const args = parseIpmpstatArgs(argv);
  if ('error' in args) {
    io.stderr.write(`${args.error}\n`);
    return args.exit;
  }
  for (const w of args.warnings) io.stderr.write(`${w}\n`);
  let socket = process.env.IPMPD_SOCKET ?? DEFAULT_SOCKET_PATH;
  let snapshot: StatusSnapshot;
  try {
    let reply;
    try {
      reply = await request(socket, { cmd: 'status' });
    } catch (err) {
      // Not root: the main socket is 0600; status is also served read-only to everyone.
      if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
      socket = readOnlySocketPath(socket);
      reply = await request(socket, { cmd: 'status' });
    }
    if (!reply.ok) {
      io.stderr.write(`${ipmpstatDie(cannotSnapshot(reply.error.message))}\n`);
      return EXIT_FAILURE;
    }
    snapshot = reply.result as StatusSnapshot;
  } catch (err) {
    // illumos pings in.mpathd first: no daemon is "cannot contact"; anything else failed the snapshot.
    const text = err instanceof ControlUnavailable ? CANNOT_CONTACT : cannotSnapshot((err as Error).message);
    io.stderr.write(`${ipmpstatDie(text)}\n`);
    return EXIT_FAILURE;
  }
  if (args.mode === 'p') {
    if (!snapshot.interfaces.some((i) => i.probe !== 'disabled')) {
      io.stderr.write(`${ipmpstatDie(PROBES_DISABLED)}\n`);
      return EXIT_FAILURE;
    }
    return liveProbes(socket, args, io);
  }
  if (args.json) {
    io.stdout.write(renderIpmpstatJson(snapshot, args.mode));
    return 0;
  }
  io.stdout.write(renderIpmpstat(snapshot, {
    mode: args.mode, numeric: args.numeric, parsable: args.parsable, ...(args.fields ? { fields: args.fields } : {}),
  }, args.numeric ? undefined : await resolveNames(args.mode === 'a' || args.mode === 't' ? snapshotAddresses(snapshot) : [])));
  return 0;
}

const PROBE_POLL_MS = 250;

/** ipmpstat -p: probes as they complete, until interrupted (like Solaris, which runs until ^C). */
async function liveProbes(socket: string, args: IpmpstatArgs, io: Io): Promise<number> {
  const startMs = Date.now();
  const line = createProbeLineRenderer(
    { numeric: args.numeric, parsable: args.parsable, ...(args.fields ? { fields: args.fields } : {}) },
    startMs, args.numeric ? undefined : hostsResolver(),
  );
  let since = startMs;
  let stop = false;
  const onSignal = (): void => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop) {
      const reply = await request(socket, { cmd: 'probes', sinceMs: since });
      if (!reply.ok) {
        io.stderr.write(`ipmpstat: ${reply.error.message}\n`);
        return 1;
      }
      const { probes, nowMs } = reply.result as { probes: ProbeRecord[]; nowMs: number };
      since = nowMs;
      for (const p of probes) io.stdout.write(args.json ? renderProbeJson(p, startMs) : line(p));
      await new Promise((r) => setTimeout(r, PROBE_POLL_MS));
    }
    return 0;
  } catch (err) {
    io.stderr.write(`ipmpstat: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(import.meta.url, runIpmpstat);
