// ipmpctl monitor [-j] [-s SOCKET]: state-change events as they happen, like `ip monitor`.
// One line per event (-j: the event as one JSON object per line), until interrupted.
import { parseArgs } from 'node:util';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { monitor } from '../control/monitor-client.js';
import type { Io } from './main.js';

/** "TIME EVENT GROUP [NIC] key=value ...": fixed columns first, like the text log format. */
export function eventLine(e: Record<string, unknown>): string {
  const parts = [String(e.at ?? '-'), String(e.event ?? '?'), String(e.group ?? '-')];
  if (typeof e.interface === 'string') parts.push(e.interface);
  for (const [k, v] of Object.entries(e)) {
    if (k === 'at' || k === 'event' || k === 'group' || k === 'interface' || v === undefined) continue;
    parts.push(`${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  }
  return parts.join(' ');
}

export async function runMonitor(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean', short: 'j', default: false }, socket: { type: 'string', short: 's' } }, strict: true }));
  } catch (err) {
    io.stderr.write(`ipmpctl monitor: ${(err as Error).message}\n`);
    return 2;
  }
  const path = values.socket ?? process.env.IPMPD_SOCKET ?? DEFAULT_SOCKET_PATH;
  try {
    await monitor(path, (e) => io.stdout.write(`${values.json ? JSON.stringify(e) : eventLine(e)}\n`));
  } catch (err) {
    io.stderr.write(`ipmpctl monitor: ${(err as Error).message}\n`);
    return 1;
  }
  // The daemon closed the stream: it stopped, or dropped this reader for falling behind.
  io.stderr.write('ipmpctl monitor: ipmpd closed the connection\n');
  return 1;
}
