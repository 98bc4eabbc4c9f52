// A reader for systemd unit files (systemd.syntax(7)): sections, repeated keys kept in
// order, comments, and backslash line continuation. Enough to assert what a unit declares.

export interface UnitEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export type UnitFile = Map<string, UnitEntry[]>;

export function parseUnitFile(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let current: UnitEntry[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A trailing backslash joins the next line with a space; comment lines in between are skipped.
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? '').trim();
      if (next.startsWith('#') || next.startsWith(';')) continue;
      line = `${line.slice(0, -1)} ${next}`;
    }
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1] as string;
      current = sections.get(name) ?? [];
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || current === undefined) {
      throw new Error(`line ${start}: not a section header or Key=Value assignment: ${line}`);
    }
    current.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  return sections;
}

/** All values of a key in order; an empty assignment resets the list, as systemd does. */
export function values(unit: UnitFile, section: string, key: string): string[] {
  const out: string[] = [];
  for (const e of unit.get(section) ?? []) {
    if (e.key !== key) continue;
    if (e.value === '') out.length = 0;
    else out.push(e.value);
  }
  return out;
}

/** The effective value of a single-valued key (the last assignment wins), or undefined. */
export function last(unit: UnitFile, section: string, key: string): string | undefined {
  const all = (unit.get(section) ?? []).filter((e) => e.key === key);
  return all.at(-1)?.value;
}

/** Space-separated list keys (CapabilityBoundingSet=, RestrictAddressFamilies=, ...) as a set. */
export function tokens(unit: UnitFile, section: string, key: string): Set<string> {
  return new Set(values(unit, section, key).flatMap((v) => v.split(/\s+/).filter(Boolean)));
}

const SPAN_UNITS: Record<string, number> = {
  us: 1e-3, usec: 1e-3, ms: 1, msec: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

/** systemd.time(7) span ("20s", "1min 30s", bare number = seconds) in milliseconds. */
export function timeSpanMs(span: string): number {
  const s = span.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const unit = SPAN_UNITS[m[2] as string];
    if (unit === undefined) throw new Error(`unknown time unit '${m[2]}' in '${span}'`);
    total += Number(m[1]) * unit;
    end = re.lastIndex;
    while (s[end] === ' ') end++;
    re.lastIndex = end;
  }
  if (end !== s.length || s.length === 0) throw new Error(`not a time span: '${span}'`);
  return total;
}
