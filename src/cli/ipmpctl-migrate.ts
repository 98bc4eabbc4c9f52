// ipmpctl migrate DIR: Solaris /etc (or an ipadm script) → native YAML on stdout or -o FILE,
// findings on stderr (or everything as one JSON object with -j).
// Exit 0: no error finding; 1: error findings (YAML still written when a model exists);
// 2: usage error or unreadable input.
import { writeFile } from 'node:fs/promises';
import { formatFinding, hasErrors, hasInputFailure, loadConfig, toYaml } from '../config/load.js';
import type { Origin } from '../config/host-state.js';
import { noteText, placeFindings } from '../config/migration-notes.js';
import type { Finding, IpmpConfig } from '../config/model.js';
import { parseConfigCommandArgs } from './args.js';
import type { Io } from './main.js';

export const MIGRATE_USAGE = 'Usage: ipmpctl migrate DIR [--map A=B ...] [-o FILE] [-j]';

export function writeFindings(io: Io, findings: Finding[]): void {
  for (const f of findings) io.stderr.write(`${formatFinding(f)}\n`);
}

function summary(findings: Finding[]): string {
  const n = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
  return `${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info`;
}

/**
 * The YAML with every finding as a "# ipmpctl migrate:" comment above the element it concerns,
 * and a summary (plus the findings about nothing in the file) on top. check and ipmpd report
 * those comments again until they are deleted (config/migration-notes.ts).
 */
export function migratedYaml(config: IpmpConfig, findings: Finding[], origins: ReadonlyMap<string, Origin>, from: string): string {
  const placed = placeFindings(findings, origins);
  const notes = new Map([...placed.byElement].map(([element, list]) => [element, list.map(noteText)]));
  const header = [
    `ipmpd configuration migrated from ${from} by ipmpctl migrate`,
    `findings: ${summary(findings)}`,
  ];
  if (findings.length > 0) {
    header.push(
      'Each finding is written as an "ipmpctl migrate:" comment above what it concerns (those about',
      'nothing in this file just below). ipmpctl check and ipmpd report them again until you delete',
      'them; an error left here keeps ipmpd from starting with this file.',
      ...placed.unplaced.map(noteText),
    );
  }
  return toYaml(config, { header: header.join('\n'), notes });
}

export async function runMigrate(argv: string[], io: Io): Promise<number> {
  const args = parseConfigCommandArgs(argv, true);
  if ('error' in args) {
    io.stderr.write(`ipmpctl migrate: ${args.error}\n${MIGRATE_USAGE}\n`);
    return 2;
  }
  let result;
  try {
    result = await loadConfig(args.path, { map: args.map });
  } catch (err) {
    io.stderr.write(`ipmpctl migrate: internal error reading ${args.path}: ${(err as Error).message}\n`);
    return 2;
  }
  if (result.source === 'yaml' && !hasInputFailure(result.findings)) {
    io.stderr.write(`ipmpctl migrate: ${args.path} is a native YAML configuration; use "ipmpctl check" for it\n`);
    return 2;
  }
  const { config, findings } = result;
  const yaml = config ? migratedYaml(config, findings, result.origins ?? new Map(), args.path) : null;
  if (args.output !== undefined && yaml !== null) {
    try {
      await writeFile(args.output, yaml);
    } catch (err) {
      io.stderr.write(`ipmpctl migrate: cannot write ${args.output}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ config, findings }, null, 2)}\n`);
  } else {
    if (args.output === undefined && yaml !== null) io.stdout.write(yaml);
    writeFindings(io, findings);
  }
  if (hasInputFailure(findings)) return 2;
  return hasErrors(findings) ? 1 : 0;
}
