// Findings: what the importer tells the user about a configuration. Every code has one fixed
// severity so scripts can rely on it; the catalogue doubles as the list in docs/configuration.md.

import type { Finding, Severity } from './model.js';

export const FINDING_CODES = {
  // Input as a whole
  INPUT_UNREADABLE: 'error',
  INPUT_NOT_REGULAR: 'error',
  INPUT_TOO_LARGE: 'error',
  NOT_A_CONFIGURATION: 'error',
  NOT_A_SOLARIS_TREE: 'error',
  NO_GROUPS: 'error',
  FILE_IGNORED: 'info',
  // hostname.* grammar (Solaris boot + ifconfig)
  UNRESOLVED_NAME: 'error',
  MISSING_ARGUMENT: 'error',
  INVALID_NETMASK: 'error',
  INVALID_PREFIX: 'error',
  ADDIF_ON_LOGICAL: 'error',
  REMOVEIF_NOT_FOUND: 'warning',
  COMMENT_IN_HOSTNAME_FILE: 'warning',
  TRAILING_BLANK_LINE: 'warning',
  NO_FINAL_NEWLINE: 'warning',
  LITERAL_QUOTES: 'warning',
  GROUP_OVERRIDDEN: 'warning',
  GROUP_IN_LOGICAL_FILE: 'info',
  STANDBY_ORDER: 'warning',
  ADDRESS_NOT_UP: 'warning',
  NETMASK_CLASSFUL: 'warning',
  POINT_TO_POINT: 'warning',
  NOT_IPMP_COMPATIBLE: 'warning',
  TOKEN_WRONG_FAMILY: 'info',
  TOKEN_IGNORED: 'info',
  UNPLUMB_IN_FILE: 'info',
  DYNAMIC_ADDRESS: 'warning',
  AMBIGUOUS_HOST_NAME: 'info',
  HOSTS_BAD_LINE: 'info',
  NETMASKS_BAD_LINE: 'warning',
  DEFAULTROUTER_IGNORED: 'warning',
  // Solaris 11 ipadm scripts
  IPADM_UNSUPPORTED: 'info',
  IPADM_SYNTAX: 'error',
  IPADM_UNKNOWN_OBJECT: 'warning',
  SHELL_VARIABLE: 'warning',
  TRANSITIVE_PROBING: 'info',
  // Solaris 11 persistent store (etc/ipadm/ipadm.conf, etc/dladm/datalink.conf)
  IPADM_CONF_BAD_LINE: 'warning',
  DATALINK_BAD_LINE: 'warning',
  DATALINK_UNKNOWN: 'warning',
  // /etc/default/mpathd
  FDT_LOOKS_LIKE_SECONDS: 'warning',
  FDT_CLAMPED: 'warning',
  INVALID_MPATHD_VALUE: 'warning',
  UNKNOWN_MPATHD_KEY: 'info',
  DUPLICATE_MPATHD_KEY: 'info',
  // Anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no)
  ANONYMOUS_NOT_TRACKED: 'warning',
  // Group semantics
  DUPLICATE_DATA_ADDRESS: 'error',
  SPECIAL_ADDRESS: 'error',
  ADDRESS_CONFLICT: 'error',
  TEST_ADDRESS_NOT_UNIQUE: 'error',
  TEST_SUBNET_MISMATCH: 'warning',
  TEST_ADDRESS_NOT_DEPRECATED: 'warning',
  TEST_ADDRESS_UNUSABLE: 'warning',
  IPV6_TEST_NOT_LINK_LOCAL: 'warning',
  SINGLE_INTERFACE_GROUP: 'warning',
  EMPTY_GROUP: 'warning',
  ALL_STANDBY: 'warning',
  NO_TEST_ADDRESS: 'info',
  NO_ROUTER_IN_TEST_SUBNET: 'warning',
  STANDBY_HAS_DATA: 'warning',
  GROUP_MISMATCH: 'warning',
  PREFIX_MISMATCH: 'warning',
  DATA_OUTSIDE_TEST_SUBNETS: 'info',
  DATA_HOME_ASSIGNED: 'info',
  DATA_HOME_NOT_MEMBER: 'error',
  NOT_IN_GROUP: 'info',
  FAMILY_NOT_PLUMBED_ON_ALL_MEMBERS: 'warning',
  GROUP_NAME_TOO_LONG: 'error',
  INTERFACE_IN_TWO_GROUPS: 'error',
  DUPLICATE_INTERFACE: 'error',
  DUPLICATE_GROUP: 'error',
  MODE_INCONSISTENT: 'error',
  // NIC name mapping
  UNMAPPED_INTERFACE: 'warning',
  MAP_UNUSED: 'warning',
  MAP_CONFLICT: 'error',
  INVALID_LINUX_NAME: 'error',
  // Native YAML
  YAML_SYNTAX: 'error',
  YAML_SCHEMA: 'error',
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof FINDING_CODES;

/** Codes meaning "the input itself could not be read": the CLI exits 2 on these. */
export const INPUT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'INPUT_UNREADABLE', 'INPUT_NOT_REGULAR', 'INPUT_TOO_LARGE', 'NOT_A_CONFIGURATION', 'NOT_A_SOLARIS_TREE',
]);

export function makeFinding(code: FindingCode, file: string, line: number, message: string, column?: number, element?: string): Finding {
  const f: Finding = { severity: FINDING_CODES[code], code, file, line, message };
  if (column !== undefined) f.column = column;
  if (element !== undefined) f.element = element;
  return f;
}

/** Collects findings while a parser runs; parsers never throw for bad input, they report. */
export class FindingSink {
  readonly list: Finding[] = [];
  add(code: FindingCode, file: string, line: number, message: string, column?: number, element?: string): void {
    this.list.push(makeFinding(code, file, line, message, column, element));
  }
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function hasInputFailure(findings: readonly Finding[]): boolean {
  return findings.some((f) => INPUT_FAILURE_CODES.has(f.code));
}

/** `severity code file:line[:column] message` — one line, as printed on stderr. */
export function formatFinding(f: Finding): string {
  const where = f.column !== undefined ? `${f.file}:${f.line}:${f.column}` : `${f.file}:${f.line}`;
  return `${f.severity} ${f.code} ${where} ${f.message.replace(/\s*\n\s*/g, ' ')}`;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order for output: by file, line, column, then severity; discovery order otherwise. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) =>
      a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1
        : a.f.line - b.f.line || (a.f.column ?? 0) - (b.f.column ?? 0)
          || SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}
