// Control-socket protocol: one JSON object per line each way. Requests are validated before
// anything acts on them; a reply always carries the request id back.
import { z } from 'zod';

export const MAX_REQUEST_BYTES = 64 * 1024;
export const DEFAULT_SOCKET_PATH = '/run/ipmpd/ipmpd.sock';

const id = z.number().int().nonnegative();
const ifname = z.string().min(1).max(15).regex(/^[^\s/:]+$/, 'not an interface name');

export const requestSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ id, cmd: z.literal('ping') }),
  z.strictObject({ id, cmd: z.literal('status') }),
  z.strictObject({ id, cmd: z.literal('probes'), sinceMs: z.number().optional() }),
  z.strictObject({ id, cmd: z.literal('offline'), ifname }),
  z.strictObject({ id, cmd: z.literal('undo-offline'), ifname }),
  z.strictObject({ id, cmd: z.literal('reload') }),
  /** Keeps the connection open: after the reply, one JSON state event per line (ipmpctl monitor). */
  z.strictObject({ id, cmd: z.literal('monitor') }),
]);

export type Request = z.infer<typeof requestSchema>;
export type Command = Request['cmd'];

export interface ReplyError {
  /** Stable code, e.g. EMINRED (offline refused), EBADREQ (malformed request). */
  code: string;
  message: string;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ReplyError };
