// `metrics.listen`: where the Prometheus endpoint binds. An IP literal and a port only — a
// host name could resolve to several addresses (or to a public one), and the endpoint must
// bind exactly where the operator said. IPv6 in brackets, as in URLs: "[::1]:9772".
import { parseIp } from '../config/ip-address.js';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

export const LISTEN_HINT = 'expected "address:port" with an IP address, e.g. 127.0.0.1:9772 or [::1]:9772';

export function parseListen(text: string): ListenAddress | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const host = m[1] ?? '';
  const port = Number(m[2]);
  const addr = parseIp(host);
  if (!addr || port < 1 || port > 65535) return null;
  // Brackets are for IPv6 only; an IPv6 literal without them was rejected by the second pattern.
  if (text.startsWith('[') !== (addr.family === 6)) return null;
  return { host, port, family: addr.family };
}
