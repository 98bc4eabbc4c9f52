// ipmpctl migrate writes each finding into the YAML as a comment at the element it concerns
// ("# ipmpctl migrate: error DUPLICATE_DATA_ADDRESS etc/hostname.ce1:1 ..."). Reading the YAML
// back, every such comment is reported again, with its own code and severity, at the
// comment's line: what was wrong in the Solaris input stays visible to ipmpctl check and to
// ipmpd until the admin deletes the comment. An error comment therefore keeps the file from
// being used, as the Solaris tree itself would be refused.
import { FINDING_CODES, type FindingCode, formatFinding, makeFinding } from './findings.js';
import type { Origin } from './host-state.js';
import type { Finding } from './model.js';

export const NOTE_PREFIX = 'ipmpctl migrate: ';

/** The comment text (without "#") for one finding. */
export function noteText(f: Finding): string {
  return `${NOTE_PREFIX}${formatFinding(f)}`;
}

export interface PlacedFindings {
  /** Element path ("groups.0.interfaces.1") → findings to write above it. */
  byElement: Map<string, Finding[]>;
  /** Findings about nothing in the YAML (an ungrouped NIC, an ignored file): the header gets them. */
  unplaced: Finding[];
}

/** Rank of an element path when several share a finding's origin: the member first. */
function rank(element: string): number {
  if (/^groups\.\d+\.interfaces\.\d+$/.test(element)) return 0;
  if (/^groups\.\d+\.dataAddresses\.\d+$/.test(element)) return 1;
  if (/^groups\.\d+\.interfaces\.\d+\.testAddresses\.\d+$/.test(element)) return 2;
  if (/^groups\.\d+$/.test(element)) return 4;
  return 3;
}

/**
 * Where each finding goes: the element the check named; else the element whose Solaris origin
 * is the finding's file and line (a member before its address before its group); else a member
 * defined in the same file; else the header.
 */
export function placeFindings(findings: readonly Finding[], origins: ReadonlyMap<string, Origin>): PlacedFindings {
  const byElement = new Map<string, Finding[]>();
  const unplaced: Finding[] = [];
  const best = (keys: string[]): string | undefined => [...keys].sort((a, b) => rank(a) - rank(b) || a.length - b.length)[0];
  for (const f of findings) {
    let element = f.element;
    if (element === undefined && f.line > 0) {
      element = best([...origins].filter(([, o]) => o.file === f.file && o.line === f.line).map(([k]) => k));
    }
    if (element === undefined) {
      element = best([...origins].filter(([k, o]) => o.file === f.file && rank(k) === 0).map(([k]) => k));
    }
    if (element === undefined) unplaced.push(f);
    else byElement.set(element, [...(byElement.get(element) ?? []), f]);
  }
  return { byElement, unplaced };
}

const NOTE = /^\s*#\s*ipmpctl migrate: (error|warning|info) ([A-Z][A-Z0-9_]*) (\S+) (.*)$/;

export interface Note {
  finding: Finding;
  /** 1-based line of the YAML content the comment sits above (0: none follows). */
  above: number;
}

/** The findings a migrated YAML still carries as comments, located at their comment lines. */
export function findingsFromNotes(text: string, file: string): Note[] {
  const lines = text.split('\n');
  const out: Note[] = [];
  lines.forEach((line, i) => {
    const m = NOTE.exec(line);
    if (!m) return;
    const code = m[2] as string;
    // A known code keeps its fixed severity; anything else is not one of ours.
    if (!(code in FINDING_CODES)) return;
    let next = i + 1;
    while (next < lines.length && /^\s*(#.*)?$/.test(lines[next] as string)) next++;
    out.push({
      finding: makeFinding(code as FindingCode, file, i + 1,
        `${(m[4] as string).trim()} (found by ipmpctl migrate in ${m[3]}; delete this comment once it is dealt with)`, line.indexOf('#') + 1),
      above: next < lines.length ? next + 1 : 0,
    });
  });
  return out;
}
