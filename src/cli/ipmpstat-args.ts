// ipmpstat command line, Solaris style: `ipmpstat [-n] [-o field[,...] [-P]] -a|-g|-i|-p|-t`
// parsed like getopt("nPo:agipt") plus our `-j` (JSON). Field-list rules follow ofmt_open().
import { FIELDS_BY_MODE, defaultFieldNames, type IpmpstatMode } from './ipmpstat-fields.js';

export interface IpmpstatArgs {
  mode: IpmpstatMode;
  numeric: boolean;
  /** Canonical (upper-case) field names from -o, `all` expanded; absent = mode default. */
  fields?: string[];
  parsable: boolean;
  json: boolean;
  /** Human mode only: unknown -o fields are ignored with these diagnostics (Solaris warns). */
  warnings: string[];
}

export interface IpmpstatArgsError {
  error: string;
  exit: 2;
}

export const IPMPSTAT_USAGE = [
  'usage: ipmpstat [-n] [-o <field> [-P]] [-j] -a|-g|-i|-p|-t',
  '',
  '  output modes:\t -a  display IPMP data address information',
  '\t\t -g  display IPMP group information',
  '\t\t -i  display IPMP-related IP interface information',
  '\t\t -p  display IPMP probe information',
  '\t\t -t  display IPMP target information',
  '',
  '       options:\t -n  display IP addresses numerically',
  '\t\t -o  display only the specified fields, in order',
  '\t\t -P  display using parsable output mode',
  '\t\t -j  display as JSON',
].join('\n');

const MODES = 'agipt';

const fail = (error: string): IpmpstatArgsError => ({ error, exit: 2 });
const usage = (lead?: string): IpmpstatArgsError => fail(lead === undefined ? IPMPSTAT_USAGE : `${lead}\n${IPMPSTAT_USAGE}`);

function quoteList(names: string[]): string {
  return names.map((n) => ` \`${n}'`).join('');
}

/** Resolves an -o list against a mode's fields the way ofmt_open() does. */
function resolveFields(
  mode: IpmpstatMode, list: string | undefined, parsable: boolean,
): { fields?: string[]; warnings: string[] } | IpmpstatArgsError {
  if (parsable) {
    // Parsable consumers must name their fields: the set may grow over time.
    if (list === undefined || list === '') return fail('output fields must be specified in parsable mode');
    if (list === 'all') return fail("output field `all' invalid in parsable mode");
  }
  if (list === undefined) return { warnings: [] };
  if (list === 'all') return { fields: FIELDS_BY_MODE[mode].map((f) => f.name), warnings: [] };
  const known = FIELDS_BY_MODE[mode];
  const fields: string[] = [];
  const bad: string[] = [];
  for (const token of list.split(',').filter((t) => t !== '')) {
    const f = known.find((k) => k.name.toLowerCase() === token.toLowerCase());
    if (f) fields.push(f.name);
    else bad.push(token);
  }
  const plural = bad.length > 1 ? 's' : '';
  if (bad.length > 0 && parsable) return fail(`unknown output field${plural}:${quoteList(bad)}`);
  if (fields.length === 0) return fail('no valid output fields');
  const warnings = bad.length > 0 ? [`ignoring unknown output field${plural}:${quoteList(bad)}`] : [];
  return { fields, warnings };
}

/** Parses argv (without node and script). Errors carry the message and exit status 2. */
export function parseIpmpstatArgs(argv: readonly string[]): IpmpstatArgs | IpmpstatArgsError {
  let mode: IpmpstatMode | undefined;
  let numeric = false;
  let parsable = false;
  let json = false;
  let list: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') { i++; break; }
    if (arg === '--json') { json = true; continue; }
    if (!arg.startsWith('-') || arg === '-') break; // first operand ends the options, as getopt does
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j] as string;
      if (MODES.includes(c)) {
        if (mode !== undefined) return fail('only one output format may be specified');
        mode = c as IpmpstatMode;
      } else if (c === 'n') {
        numeric = true;
      } else if (c === 'P') {
        parsable = true;
      } else if (c === 'j') {
        json = true;
      } else if (c === 'o') {
        if (j + 1 < arg.length) {
          list = arg.slice(j + 1);
        } else if (i + 1 < argv.length) {
          list = argv[++i] as string;
        } else {
          return usage('option requires an argument -- o');
        }
        break;
      } else {
        return usage(`illegal option -- ${c}`);
      }
    }
  }
  if (i < argv.length || mode === undefined) return usage();
  if (json && (parsable || list !== undefined)) return fail('-j cannot be combined with -o or -P');
  const resolved = resolveFields(mode, list, parsable);
  if ('error' in resolved) return resolved;
  const out: IpmpstatArgs = { mode, numeric, parsable, json, warnings: resolved.warnings };
  if (resolved.fields) out.fields = resolved.fields;
  return out;
}

/** The fields a run prints: the -o list, else the mode's 80-column default. */
export function effectiveFields(args: Pick<IpmpstatArgs, 'mode' | 'fields'>): string[] {
  return args.fields ?? defaultFieldNames(args.mode);
}
