// Shared argv handling for ipmpctl migrate/check: repeated --map A=B[,C=D], -o FILE, -j,
// one positional PATH. Returns a usage error instead of throwing.
import { parseArgs } from 'node:util';
import { parseMapArgs } from './map-arg.js';

export interface ConfigCommandArgs {
  path: string;
  map: Record<string, string>;
  output?: string;
  json: boolean;
}

export function parseConfigCommandArgs(argv: string[], allowOutput: boolean): ConfigCommandArgs | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        map: { type: 'string', multiple: true, default: [] },
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean', short: 'j', default: false },
      },
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return { error: positionals.length === 0 ? 'missing PATH' : `unexpected argument '${positionals[1]}'` };
  if (!allowOutput && values.output !== undefined) return { error: '-o is not accepted here' };
  if (values.output === '') return { error: '-o needs a file name' };
  const m = parseMapArgs(values.map ?? []);
  if ('error' in m) return { error: m.error };
  const out: ConfigCommandArgs = { path: positionals[0]!, map: m.map, json: values.json ?? false };
  if (values.output !== undefined) out.output = values.output;
  return out;
}
