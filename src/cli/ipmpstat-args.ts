// ipmpstat command line, Solaris style: `ipmpstat [-n] [-o field[,...] [-P]] -a|-g|-i|-p|-t`
// parsed like getopt("nPo:agipt") plus our `-j` (JSON). Field-list rules follow ofmt_open().
import { FIELDS_BY_MODE, defaultFieldNames, type IpmpstatMode } from './ipmpstat-fields.js';
import {
  EXIT_FAILURE, IPMPSTAT_USAGE, OFMT_ENOFIELDS, OFMT_EPARSEALL, OFMT_EPARSENONE, ONLY_ONE_FORMAT,
  getoptIllegal, getoptNeedsArg, ipmpstatDie, ipmpstatWarn, ofmtBadFields,
} from './illumos-texts.js';

export interface IpmpstatArgs {
  mode: IpmpstatMode;
  numeric: boolean;
  /** Canonical (upper-case) field names from -o, `all` expanded; absent = mode default. */
  fields?: string[];
  parsable: boolean;
  json: boolean;
  /** Human mode only: unknown -o fields are ignored; these are the whole warning lines. */
  warnings: string[];
}

/** What to print on stderr (whole lines, without the last newline) and the exit status. */
export interface IpmpstatArgsError {
  error: string;
  exit: typeof EXIT_FAILURE;
}

export { IPMPSTAT_USAGE };

const MODES = 'agipt';

// illumos die() and usage() both exit 1; a getopt complaint comes before the usage text.
const fail = (text: string): IpmpstatArgsError => ({ error: ipmpstatDie(text), exit: EXIT_FAILURE });
const usage = (lead?: string): IpmpstatArgsError =>
  ({ error: lead === undefined ? IPMPSTAT_USAGE : `${lead}\n${IPMPSTAT_USAGE}`, exit: EXIT_FAILURE });

/** Resolves an -o list against a mode's fields the way ofmt_open() does. */
function resolveFields(
  mode: IpmpstatMode, list: string | undefined, parsable: boolean,
): { fields?: string[]; warnings: string[] } | IpmpstatArgsError {
  if (parsable) {
    // Parsable consumers must name their fields: the set may grow over time.
    if (list === undefined || list === '') return fail(OFMT_EPARSENONE);
    if (list === 'all') return fail(OFMT_EPARSEALL);
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
  // ofmt_open() checks "nothing valid" before it reports the bad names, in either mode.
  if (fields.length === 0) return fail(OFMT_ENOFIELDS);
  if (bad.length > 0 && parsable) return fail(ofmtBadFields(bad, true));
  const warnings = bad.length > 0 ? [ipmpstatWarn(ofmtBadFields(bad, false))] : [];
  return { fields, warnings };
}

/** Parses argv (without node and script). Errors carry illumos's stderr text and exit status 1. */
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
        if (mode !== undefined) return fail(ONLY_ONE_FORMAT);
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
          return usage(getoptNeedsArg('ipmpstat', 'o'));
        }
        break;
      } else {
        return usage(getoptIllegal('ipmpstat', c));
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
