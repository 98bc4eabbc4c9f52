// /etc/default/mpathd as in.mpathd reads it through defread(3C) with case folding on:
// a line must start with `NAME=` (any case), the first such line wins, the value is the
// rest of the line verbatim (no quote stripping). FAILURE_DETECTION_TIME goes through
// strtol(value, NULL, 0); FAILBACK and TRACK_INTERFACES_ONLY_WITH_GROUPS are prefix
// matches of "yes"/"no". Invalid values keep the default, as in.mpathd does.

import { FindingSink } from './findings.js';
import { DEFAULT_MPATHD, MIN_FAILURE_DETECTION_TIME, type MpathdSettings } from './model.js';

export interface MpathdOrigins {
  failureDetectionTime?: number;
  failback?: number;
  trackInterfacesOnlyWithGroups?: number;
}

const KEYS = ['FAILURE_DETECTION_TIME', 'FAILBACK', 'TRACK_INTERFACES_ONLY_WITH_GROUPS'] as const;

/** C strtol(s, NULL, 0) on a 64-bit long: leading blanks, sign, 0x/0 prefixes, stops at junk. */
export function strtol0(s: string): number {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') { if (s[i] === '-') sign = -1; i++; }
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) { base = 16; i += 2; }
  else if (s[i] === '0') base = 8;
  let v = 0;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * base + d;
    if (v > Number.MAX_SAFE_INTEGER) { v = Number.MAX_SAFE_INTEGER; }
  }
  return sign * v;
}

function yesNo(v: string): boolean | null {
  const l = v.toLowerCase();
  if (l.startsWith('yes')) return true;
  if (l.startsWith('no')) return false;
  return null;
}

export function parseMpathdDefaults(text: string, file: string, sink: FindingSink): { settings: MpathdSettings; origins: MpathdOrigins } {
  const settings: MpathdSettings = { ...DEFAULT_MPATHD };
  const origins: MpathdOrigins = {};
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const body = raw.replace(/\r$/, '');
    if (body.trim() === '' || body.trimStart().startsWith('#')) return;
    const key = KEYS.find((k) => body.toUpperCase().startsWith(`${k}=`));
    if (!key) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(body);
      if (m && KEYS.includes(m[1]!.toUpperCase() as (typeof KEYS)[number])) {
        sink.add('INVALID_MPATHD_VALUE', file, line, `"${body.trim()}": in.mpathd only matches NAME= at the start of the line with no blanks; this line is ignored`);
      } else {
        sink.add('UNKNOWN_MPATHD_KEY', file, line, `"${body.trim()}" is not a setting in.mpathd reads; ignored`);
      }
      return;
    }
    if (seen.has(key)) {
      sink.add('DUPLICATE_MPATHD_KEY', file, line, `${key} already set on line ${seen.get(key)}; in.mpathd uses the first one`);
      return;
    }
    seen.set(key, line);
    const value = body.slice(key.length + 1);
    if (key === 'FAILURE_DETECTION_TIME') {
      origins.failureDetectionTime = line;
      const n = strtol0(value);
      if (n <= 0 || n > 0x7fffffff) {
        sink.add('INVALID_MPATHD_VALUE', file, line, `FAILURE_DETECTION_TIME "${value}" is not a positive number of milliseconds; in.mpathd assumes the default ${DEFAULT_MPATHD.failureDetectionTime}`);
        return;
      }
      if (n <= 60) {
        sink.add('FDT_LOOKS_LIKE_SECONDS', file, line, `FAILURE_DETECTION_TIME=${value.trim()} is in milliseconds (Oracle docs wrongly say seconds); ${n} s would be ${n * 1000}`);
      }
      if (n < MIN_FAILURE_DETECTION_TIME) {
        sink.add('FDT_CLAMPED', file, line, `FAILURE_DETECTION_TIME ${n} ms is below the minimum; in.mpathd uses ${MIN_FAILURE_DETECTION_TIME} ms`);
        settings.failureDetectionTime = MIN_FAILURE_DETECTION_TIME;
      } else {
        settings.failureDetectionTime = n;
      }
      if (!/^\s*[+-]?(0[xX][0-9a-fA-F]+|\d+)\s*$/.test(value)) {
        sink.add('INVALID_MPATHD_VALUE', file, line, `FAILURE_DETECTION_TIME "${value}" has trailing characters; strtol reads it as ${n}`);
      } else if (/^\s*[+-]?0\d/.test(value)) {
        sink.add('INVALID_MPATHD_VALUE', file, line, `FAILURE_DETECTION_TIME "${value.trim()}" has a leading 0, so strtol reads it as octal: ${n} ms`);
      }
      return;
    }
    const yn = yesNo(value);
    const field = key === 'FAILBACK' ? 'failback' : 'trackInterfacesOnlyWithGroups';
    origins[field] = line;
    if (yn === null) {
      sink.add('INVALID_MPATHD_VALUE', file, line, `${key} "${value}" is neither yes nor no; in.mpathd keeps the default yes`);
      return;
    }
    if (!/^(yes|no)\s*$/i.test(value)) {
      sink.add('INVALID_MPATHD_VALUE', file, line, `${key} "${value}" is read as ${yn ? 'yes' : 'no'} (in.mpathd compares only the first ${yn ? 3 : 2} letters)`);
    }
    settings[field] = yn;
  });
  return { settings, origins };
}
