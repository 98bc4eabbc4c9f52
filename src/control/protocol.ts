// Control-socket protocol: one JSON object per line each way. Requests are validated before
// anything acts on them; a reply always carries the request id back. The validator is written
// out by hand: seven small shapes do not justify a schema library resident in the daemon.

export const MAX_REQUEST_BYTES = 64 * 1024;
export const DEFAULT_SOCKET_PATH = '/run/ipmpd/ipmpd.sock';

export type Request =
  | { id: number; cmd: 'ping' }
  | { id: number; cmd: 'status' }
  | { id: number; cmd: 'probes'; sinceMs?: number }
  | { id: number; cmd: 'offline'; ifname: string }
  | { id: number; cmd: 'undo-offline'; ifname: string }
  | { id: number; cmd: 'reload' }
  /** Keeps the connection open: after the reply, one JSON state event per line (ipmpctl monitor). */
  | { id: number; cmd: 'monitor' };
export type Command = Request['cmd'];

/** The fields each command takes besides `id` and `cmd`, and whether each is required. */
const FIELDS: Record<Command, Record<string, 'ifname' | 'number?'>> = {
  ping: {},
  status: {},
  probes: { sinceMs: 'number?' },
  offline: { ifname: 'ifname' },
  'undo-offline': { ifname: 'ifname' },
  reload: {},
  monitor: {},
};

const IFNAME = /^[^\s/:]{1,15}$/;

export type RequestCheck = { ok: true; request: Request } | { ok: false; where: string; message: string };

/** Checks a parsed JSON value against the request shapes; the first problem is named by field. */
export function parseRequest(raw: unknown): RequestCheck {
  const bad = (where: string, message: string): RequestCheck => ({ ok: false, where, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('request', 'expected an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id) || r.id < 0) return bad('id', 'expected a non-negative integer');
  if (typeof r.cmd !== 'string' || !Object.hasOwn(FIELDS, r.cmd)) return bad('cmd', `unknown command${typeof r.cmd === 'string' ? ` "${r.cmd.slice(0, 32)}"` : ''}`);
  const fields = FIELDS[r.cmd as Command];
  for (const key of Object.keys(r)) {
    if (key !== 'id' && key !== 'cmd' && !Object.hasOwn(fields, key)) return bad(key, 'unrecognized field');
  }
  for (const [key, kind] of Object.entries(fields)) {
    const v = r[key];
    if (kind === 'ifname' && (typeof v !== 'string' || !IFNAME.test(v))) return bad(key, 'not an interface name');
    if (kind === 'number?' && v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) return bad(key, 'expected a number');
  }
  return { ok: true, request: r as unknown as Request };
}

export interface ReplyError {
  /** Stable code, e.g. EMINRED (offline refused), EBADREQ (malformed request). */
  code: string;
  message: string;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ReplyError };
