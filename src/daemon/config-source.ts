// Where the daemon's configuration comes from, and the rule that a configuration with any
// error finding is refused as a whole: a bad config never moves an address.
import type { IpmpConfig } from '../config/model.js';
import { formatFinding, hasErrors, loadConfig } from '../config/load.js';
import type { Logger } from '../log.js';

export interface ConfigSource {
  path: string;
  map: Record<string, string>;
}

export async function loadDaemonConfig(source: ConfigSource, log: Logger): Promise<IpmpConfig | null> {
  const result = await loadConfig(source.path, { map: source.map });
  for (const f of result.findings) {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'info';
    log[level]({ finding: f }, formatFinding(f));
  }
  if (!result.config || hasErrors(result.findings)) return null;
  return result.config;
}
