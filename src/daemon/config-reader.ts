// `node config-reader.js '<json {path, map}>'`: reads and checks a configuration in a process
// of its own and writes the LoadResult as one JSON line on stdout. The daemon runs this at
// start and on every reload (see config-source.ts): parsing never stalls failover, and the
// memory the YAML reader and the schema library take goes back to the system when it exits.
import { loadConfig } from '../config/load.js';

const { path, map } = JSON.parse(process.argv[2] ?? '{}') as { path: string; map: Record<string, string> };
loadConfig(path, { map }).then(
  // origins (where each element came from in a Solaris tree) only serve ipmpctl migrate.
  ({ origins: _origins, ...result }) => { process.stdout.write(`${JSON.stringify(result)}\n`); },
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
