// ipmpstat output from a status snapshot: Solaris ofmt layout (human columns that let
// wide values push later ones right, or `:`-separated parsable lines) and a JSON form.
import type { ProbeRecord, StatusSnapshot, TargetStatus } from '../control/status.js';
import {
  ADDRESS_FIELDS, GROUP_FIELDS, INTERFACE_FIELDS, PROBE_FIELDS, TARGET_FIELDS, defaultFieldNames, formatFlags,
  type FieldContext, type FieldSpec, type IpmpstatMode, type ProbeRow,
} from './ipmpstat-fields.js';

export type NameResolver = (address: string) => string | undefined;

export interface RenderOptions {
  mode: IpmpstatMode;
  /** -n: print addresses, never names. */
  numeric: boolean;
  /** Field names (any case); absent = the mode's default fields. */
  fields?: string[];
  parsable: boolean;
  /**
   * Reprint the header every this many lines, as ofmt does for a terminal of that height.
   * Absent: the header is printed once, before the first row.
   */
  windowRows?: number;
}

const VAL_UNDEF = '--';
const VAL_UNKNOWN = '?';

/** One table's layout state; mirrors ofmt_print / ofmt_print_field. */
export class OfmtPrinter {
  private overflow = 0;
  private nrow = 0;

  constructor(
    private readonly columns: readonly { name: string; width: number }[],
    private readonly parsable: boolean,
    private readonly windowRows?: number,
  ) {
    if (columns.length === 0) throw new Error('ofmt: no fields');
  }

  /** One row (header first when due); values: '' = no value, undefined = unknown. */
  row(values: readonly (string | undefined)[]): string {
    let out = '';
    const due = this.windowRows === undefined ? this.nrow === 0 : this.nrow % this.windowRows === 0;
    this.nrow++;
    if (due && !this.parsable) {
      out += this.line(this.columns.map((c) => c.name));
      this.nrow++;
    }
    const shown = values.map((v) => (v === undefined ? VAL_UNKNOWN : v === '' && !this.parsable ? VAL_UNDEF : v));
    return out + this.line(shown);
  }

  private line(values: readonly string[]): string {
    if (this.parsable) {
      // Escaping only matters when there is a separator to confuse it with.
      if (values.length === 1) return `${values[0] ?? ''}\n`;
      return `${values.map((v) => v.replace(/[:\\]/g, (c) => `\\${c}`)).join(':')}\n`;
    }
    let out = '';
    this.columns.forEach((col, i) => {
      const value = values[i] ?? '';
      if (i === this.columns.length - 1) {
        out += value;
        this.overflow = 0;
        return;
      }
      let width = col.width;
      // A value that does not fit is followed by one space and the excess is remembered;
      // later short values give the excess back so columns realign when they can.
      if (value.length + this.overflow >= width) {
        this.overflow += value.length - width + 1;
        out += `${value} `;
        return;
      }
      if (this.overflow > 0) {
        const compress = Math.min(this.overflow, width - value.length);
        this.overflow -= compress;
        width -= compress;
      }
      out += value.padEnd(width);
    });
    return `${out}\n`;
  }
}

function selectFields<R>(table: readonly FieldSpec<R>[], mode: IpmpstatMode, names?: string[]): FieldSpec<R>[] {
  return (names ?? defaultFieldNames(mode)).map((n) => {
    const f = table.find((t) => t.name.toLowerCase() === n.toLowerCase());
    if (!f) throw new Error(`unknown ipmpstat field for -${mode}: ${n}`);
    return f;
  });
}

function context(numeric: boolean, resolveName?: NameResolver): FieldContext {
  return { name: (addr) => (numeric ? addr : resolveName?.(addr) ?? addr) };
}

function renderRows<R>(table: readonly FieldSpec<R>[], rows: readonly R[], opts: RenderOptions, resolveName?: NameResolver): string {
  const fields = selectFields(table, opts.mode, opts.fields);
  const printer = new OfmtPrinter(fields, opts.parsable, opts.windowRows);
  const ctx = context(opts.numeric, resolveName);
  return rows.map((r) => printer.row(fields.map((f) => f.value(r, ctx)))).join('');
}

const DISABLED_TARGETS = (iface: string): TargetStatus =>
  ({ interface: iface, family: 4, mode: 'disabled', testAddress: null, targets: [] });

/**
 * -t rows, Solaris' rule: per interface the IPv4 row unless only IPv6 probes, plus the
 * IPv6 row when IPv6 probes; an interface that probes neither shows one `disabled` row.
 * Interfaces come in snapshot order (the daemon lists them group by group).
 */
export function targetRows(snapshot: StatusSnapshot): TargetStatus[] {
  const names = [...snapshot.interfaces.map((i) => i.interface), ...snapshot.targets.map((t) => t.interface)];
  const out: TargetStatus[] = [];
  for (const name of new Set(names)) {
    const v4 = snapshot.targets.find((t) => t.interface === name && t.family === 4) ?? DISABLED_TARGETS(name);
    const v6 = snapshot.targets.find((t) => t.interface === name && t.family === 6);
    const v6probes = v6 !== undefined && v6.mode !== 'disabled';
    if (v4.mode !== 'disabled' || !v6probes) out.push(v4);
    if (v6probes) out.push(v6);
  }
  return out;
}

/** ipmpstat -a / -g / -i / -t text. Empty string when there is nothing to list (no header either). */
export function renderIpmpstat(snapshot: StatusSnapshot, opts: RenderOptions, resolveName?: NameResolver): string {
  switch (opts.mode) {
    case 'a': return renderRows(ADDRESS_FIELDS, snapshot.addresses, opts, resolveName);
    case 'g': return renderRows(GROUP_FIELDS, snapshot.groups, opts, resolveName);
    case 'i': return renderRows(INTERFACE_FIELDS, snapshot.interfaces, opts, resolveName);
    case 't': return renderRows(TARGET_FIELDS, targetRows(snapshot), opts, resolveName);
    case 'p': throw new Error('ipmpstat -p renders probe records: use renderIpmpstatProbes / createProbeLineRenderer');
  }
}

/**
 * Streaming -p: returns a function turning each probe into its line(s) (the first call
 * also yields the header). `startMs` is when ipmpstat started: TIME is relative to it.
 */
export function createProbeLineRenderer(
  opts: Omit<RenderOptions, 'mode'>, startMs: number, resolveName?: NameResolver,
): (record: ProbeRecord) => string {
  const fields = selectFields(PROBE_FIELDS, 'p', opts.fields);
  const printer = new OfmtPrinter(fields, opts.parsable, opts.windowRows);
  const ctx = context(opts.numeric, resolveName);
  return (record) => {
    const row: ProbeRow = { record, startMs };
    return printer.row(fields.map((f) => f.value(row, ctx)));
  };
}

export function renderIpmpstatProbes(
  records: readonly ProbeRecord[], startMs: number, opts: Omit<RenderOptions, 'mode'>, resolveName?: NameResolver,
): string {
  const line = createProbeLineRenderer(opts, startMs, resolveName);
  return records.map(line).join('');
}

/** `ipmpstat -j`: one JSON document per mode, keys in a fixed order, addresses numeric. */
export function renderIpmpstatJson(snapshot: StatusSnapshot, mode: Exclude<IpmpstatMode, 'p'>): string {
  let doc: unknown;
  switch (mode) {
    case 'g':
      doc = {
        groups: snapshot.groups.map((g) => ({
          group: g.group, groupname: g.groupname, state: g.state, fdtMs: g.fdtMs,
          active: [...g.active], inactive: [...g.inactive], unusable: [...g.unusable],
        })),
      };
      break;
    case 'i':
      doc = {
        interfaces: snapshot.interfaces.map((i) => ({
          interface: i.interface, active: i.active, group: i.group, flagsText: formatFlags(i.flags),
          flags: {
            inactive: i.flags.inactive, standby: i.flags.standby, mcast4: i.flags.mcast4, bcast4: i.flags.bcast4,
            mcast6: i.flags.mcast6, down: i.flags.down, hwaddrdup: i.flags.hwaddrdup,
          },
          link: i.link, probe: i.probe, state: i.state,
        })),
      };
      break;
    case 'a':
      doc = {
        addresses: snapshot.addresses.map((a) => ({
          address: a.address, prefixLen: a.prefixLen, state: a.state, group: a.group, inbound: a.inbound,
          outbound: [...a.outbound],
        })),
      };
      break;
    case 't':
      doc = {
        targets: snapshot.targets.map((t) => ({
          interface: t.interface, family: t.family, mode: t.mode, testAddress: t.testAddress, targets: [...t.targets],
        })),
      };
      break;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `ipmpstat -p -j`: one compact JSON object per probe line (NDJSON). */
export function renderProbeJson(record: ProbeRecord, startMs: number): string {
  return `${JSON.stringify({
    time: (record.sentAtMs - startMs) / 1000,
    interface: record.interface,
    probe: record.probe,
    outcome: record.outcome,
    netRttMs: record.netRttMs,
    rttMs: record.rttMs,
    rttAvgMs: record.rttAvgMs,
    rttDevMs: record.rttDevMs,
    target: record.target,
  })}\n`;
}
