// The human-readable log format (`ipmpd --log-format text`): pino writes one JSON object per
// line; this turns each into "TIME LEVEL [NIC] [group] message key=value ...". A line that is
// not JSON passes through untouched, so nothing is ever lost to the formatter.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields the line shows in fixed places, or that add nothing on a terminal (svc, pid). */
const PLACED = new Set(['level', 'time', 'msg', 'ifname', 'group', 'svc', 'pid', 'hostname']);
/** One field's value is cut here, and the key=value tail as a whole: a huge object must not flood a terminal. */
export const MAX_VALUE_CHARS = 200;
export const MAX_FIELDS_CHARS = 1000;

export function textLine(json: string): string {
  const body = json.endsWith('\n') ? json.slice(0, -1) : json;
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return json;
    o = parsed as Record<string, unknown>;
  } catch {
    return json;
  }
  const parts: string[] = [];
  parts.push(typeof o.time === 'string' ? o.time : typeof o.time === 'number' ? new Date(o.time).toISOString() : '-');
  parts.push((LEVELS[Number(o.level)] ?? String(o.level ?? '?')).padEnd(5));
  if (typeof o.ifname === 'string') parts.push(o.ifname);
  if (typeof o.group === 'string') parts.push(`[${o.group}]`);
  if (o.msg !== undefined) parts.push(oneLine(String(o.msg)));
  const fields = Object.entries(o).filter(([k, v]) => !PLACED.has(k) && v !== undefined).map(([k, v]) => `${k}=${value(v)}`).join(' ');
  if (fields) parts.push(fields.length > MAX_FIELDS_CHARS ? `${fields.slice(0, MAX_FIELDS_CHARS)}…` : fields);
  return `${parts.join(' ')}\n`;
}

function value(v: unknown): string {
  // An error keeps its message readable; its stack is in the JSON format for whoever needs it.
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { message?: unknown }).message === 'string') {
    v = (v as { message: string }).message;
  }
  let s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  s = oneLine(s);
  if (s.length > MAX_VALUE_CHARS) s = `${s.slice(0, MAX_VALUE_CHARS)}…`;
  // Quoted when it would otherwise read as several fields.
  return s === '' || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** One event, one line: a newline inside a message would forge a second log line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, '\\n');
}
