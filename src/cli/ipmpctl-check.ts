// ipmpctl check PATH: validate a native YAML file or a Solaris directory; print the
// normalized model (YAML, or JSON with -j) and the findings. Same exit codes as migrate.
import { formatFinding, hasErrors, hasInputFailure, loadConfig, toYaml } from '../config/load.js';
import { parseConfigCommandArgs } from './args.js';
import type { Io } from './main.js';

export const CHECK_USAGE = 'Usage: ipmpctl check PATH [--map A=B ...] [-j]';

export async function runCheck(argv: string[], io: Io): Promise<number> {
  const args = parseConfigCommandArgs(argv, false);
  if ('error' in args) {
    io.stderr.write(`ipmpctl check: ${args.error}\n${CHECK_USAGE}\n`);
    return 2;
  }
  let result;
  try {
    result = await loadConfig(args.path, { map: args.map });
  } catch (err) {
    io.stderr.write(`ipmpctl check: internal error reading ${args.path}: ${(err as Error).message}\n`);
    return 2;
  }
  const { config, findings } = result;
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ config, findings }, null, 2)}\n`);
  } else {
    if (config) io.stdout.write(toYaml(config));
    for (const f of findings) io.stderr.write(`${formatFinding(f)}\n`);
  }
  if (hasInputFailure(findings)) return 2;
  return hasErrors(findings) ? 1 : 0;
}
