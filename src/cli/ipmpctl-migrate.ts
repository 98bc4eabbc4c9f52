// ipmpctl migrate DIR: Solaris /etc (or an ipadm script) → native YAML on stdout or -o FILE,
// findings on stderr (or everything as one JSON object with -j).
// Exit 0: no error finding; 1: error findings (YAML still written when a model exists);
// 2: usage error or unreadable input.
import { writeFile } from 'node:fs/promises';
import { formatFinding, hasErrors, hasInputFailure, loadConfig, toYaml } from '../config/load.js';
import type { Finding } from '../config/model.js';
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
  const yaml = config
    ? toYaml(config, { header: `ipmpd configuration migrated from ${args.path} by ipmpctl migrate\nfindings: ${summary(findings)}` })
    : null;
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
