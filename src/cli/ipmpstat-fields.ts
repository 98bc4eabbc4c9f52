// ipmpstat's output fields per mode: names, column widths and how each value is derived
// from the daemon's status snapshot. Names, widths and value rules follow Solaris
// ipmpstat(8) (ipmpstat.c field tables and sfunc_* callbacks).
import type {
  AddressStatus, GroupStatus, InterfaceFlags, InterfaceStatus, ProbeRecord, TargetStatus,
} from '../control/status.js';

export type IpmpstatMode = 'a' | 'g' | 'i' | 'p' | 't';

/** What a value getter may need beyond its row. */
export interface FieldContext {
  /** Address text as shown: a host name unless -n, else the address itself. */
  name(address: string): string;
}

/**
 * A field's value: '' means "no value" (human mode prints `--`, parsable nothing) and
 * undefined means "could not be determined" (printed `?`), as in Solaris' ofmt.
 */
export interface FieldSpec<R> {
  name: string;
  width: number;
  value(row: R, ctx: FieldContext): string | undefined;
}

/** A probe as -p prints it: the record plus the moment ipmpstat started (ms since epoch). */
export interface ProbeRow {
  record: ProbeRecord;
  startMs: number;
}

/** Maps runtime strings (the snapshot arrives as JSON) onto the allowed set, else `?`. */
function oneOf(value: unknown, allowed: readonly string[]): string | undefined {
  return typeof value === 'string' && allowed.includes(value) ? value : undefined;
}

/** printf("%.2f") for the values ipmpstat prints. */
export function fixed2(n: number): string {
  return n.toFixed(2);
}

function ms(v: number | null): string {
  return v === null ? '' : `${fixed2(v)}ms`;
}

/** Solaris FLAGS: `i s m b M d h` by position, `-` when unset. */
export function formatFlags(f: InterfaceFlags): string {
  return [
    f.inactive ? 'i' : '-',
    f.standby ? 's' : '-',
    f.mcast4 ? 'm' : '-',
    f.bcast4 ? 'b' : '-',
    f.mcast6 ? 'M' : '-',
    f.down ? 'd' : '-',
    f.hwaddrdup ? 'h' : '-',
  ].join('');
}

/** INTERFACES: active, then `(inactive)`, then `[unusable]`, space separated. */
export function formatGroupInterfaces(g: GroupStatus): string {
  const parts: string[] = [];
  if (g.active.length > 0) parts.push(g.active.join(' '));
  if (g.inactive.length > 0) parts.push(`(${g.inactive.join(' ')})`);
  if (g.unusable.length > 0) parts.push(`[${g.unusable.join(' ')}]`);
  return parts.join(' ');
}

export const ADDRESS_FIELDS: readonly FieldSpec<AddressStatus>[] = [
  { name: 'ADDRESS', width: 26, value: (a, ctx) => ctx.name(a.address) },
  { name: 'STATE', width: 7, value: (a) => oneOf(a.state, ['up', 'down', 'duplicate']) },
  { name: 'GROUP', width: 12, value: (a) => a.group },
  { name: 'INBOUND', width: 12, value: (a) => a.inbound ?? '' },
  {
    name: 'OUTBOUND',
    width: 23,
    // Solaris: a down address, or one bound nowhere, sends nothing.
    value: (a) => (a.state === 'down' || !a.inbound ? '' : a.outbound.join(' ')),
  },
];

export const GROUP_FIELDS: readonly FieldSpec<GroupStatus>[] = [
  { name: 'GROUP', width: 12, value: (g) => g.group },
  { name: 'GROUPNAME', width: 12, value: (g) => g.groupname },
  { name: 'STATE', width: 10, value: (g) => oneOf(g.state, ['ok', 'failed', 'degraded']) },
  { name: 'FDT', width: 10, value: (g) => (g.fdtMs === null || g.fdtMs === 0 ? '' : `${fixed2(g.fdtMs / 1000)}s`) },
  { name: 'INTERFACES', width: 30, value: (g) => formatGroupInterfaces(g) },
];

export const INTERFACE_FIELDS: readonly FieldSpec<InterfaceStatus>[] = [
  { name: 'INTERFACE', width: 12, value: (i) => i.interface },
  { name: 'ACTIVE', width: 8, value: (i) => (i.active ? 'yes' : 'no') },
  { name: 'GROUP', width: 12, value: (i) => i.group },
  { name: 'FLAGS', width: 10, value: (i) => formatFlags(i.flags) },
  { name: 'LINK', width: 10, value: (i) => oneOf(i.link, ['up', 'down', 'unknown']) },
  { name: 'PROBE', width: 10, value: (i) => oneOf(i.probe, ['ok', 'failed', 'unknown', 'disabled']) },
  { name: 'STATE', width: 10, value: (i) => oneOf(i.state, ['ok', 'failed', 'unknown', 'offline', 'missing']) },
];

export const PROBE_FIELDS: readonly FieldSpec<ProbeRow>[] = [
  { name: 'TIME', width: 10, value: (p) => `${fixed2((p.record.sentAtMs - p.startMs) / 1000)}s` },
  { name: 'INTERFACE', width: 12, value: (p) => p.record.interface },
  { name: 'PROBE', width: 7, value: (p) => String(p.record.probe >>> 0) },
  // Round-trip times exist only for acknowledged probes; averages whenever known and nonzero.
  { name: 'NETRTT', width: 10, value: (p) => (p.record.outcome === 'acked' ? ms(p.record.netRttMs) : '') },
  { name: 'RTT', width: 10, value: (p) => (p.record.outcome === 'acked' ? ms(p.record.rttMs) : '') },
  { name: 'RTTAVG', width: 10, value: (p) => (p.record.rttAvgMs ? ms(p.record.rttAvgMs) : '') },
  { name: 'TARGET', width: 20, value: (p, ctx) => ctx.name(p.record.target) },
  { name: 'RTTDEV', width: 10, value: (p) => (p.record.rttDevMs ? ms(p.record.rttDevMs) : '') },
];

export const TARGET_FIELDS: readonly FieldSpec<TargetStatus>[] = [
  { name: 'INTERFACE', width: 12, value: (t) => t.interface },
  { name: 'MODE', width: 10, value: (t) => oneOf(t.mode, ['routes', 'multicast', 'disabled', 'transitive']) },
  {
    name: 'TESTADDR',
    width: 20,
    value: (t, ctx) => (t.mode === 'disabled' || t.testAddress === null ? '' : ctx.name(t.testAddress)),
  },
  { name: 'TARGETS', width: 38, value: (t, ctx) => t.targets.map((x) => ctx.name(x)).join(' ') },
];

/** Field tables by mode, for name validation and column layout. */
export const FIELDS_BY_MODE: { readonly [M in IpmpstatMode]: readonly { name: string; width: number }[] } = {
  a: ADDRESS_FIELDS,
  g: GROUP_FIELDS,
  i: INTERFACE_FIELDS,
  p: PROBE_FIELDS,
  t: TARGET_FIELDS,
};

/** Solaris' terminal width; without -o, fields are taken in order while they fit. */
export const IPMPSTAT_COLUMNS = 80;

/** Default fields of a mode: the leading ones whose widths sum to at most 80 columns. */
export function defaultFieldNames(mode: IpmpstatMode): string[] {
  const out: string[] = [];
  let cols = 0;
  for (const f of FIELDS_BY_MODE[mode]) {
    cols += f.width;
    if (cols > IPMPSTAT_COLUMNS) break;
    out.push(f.name);
  }
  return out;
}
