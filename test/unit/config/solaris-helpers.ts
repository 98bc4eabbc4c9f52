// Test helper: run the Solaris importer on an in-memory etc/ tree.
import { importSolaris } from '../../../src/config/solaris-import.js';
import { isIpadmScriptName } from '../../../src/config/solaris-fs.js';
import type { Finding, GroupConfig } from '../../../src/config/model.js';

export const HOSTS = [
  '127.0.0.1 localhost',
  '192.0.2.10 host-a host-a.example.com',
  '192.0.2.11 host-b',
  '192.0.2.100 service',
  '192.0.2.101 service2',
  '198.51.100.10 other-a',
].join('\n') + '\n';

export const NETMASKS = '192.0.2.0 255.255.255.0\n';

/** files: paths relative to etc/ (e.g. "hostname.ce0"); ipadm scripts by their name. */
export function solaris(files: Record<string, string>, map?: Record<string, string>) {
  const m = new Map<string, string>();
  const scripts: string[] = [];
  for (const [k, v] of Object.entries(files)) {
    if (isIpadmScriptName(k)) { m.set(k, v); scripts.push(k); } else m.set(`etc/${k}`, v);
  }
  return importSolaris({ files: m, etc: 'etc/', ipadmScripts: scripts, label: 'etc' }, map ? { map } : {});
}

export function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

export function find(findings: Finding[], code: string): Finding | undefined {
  return findings.find((f) => f.code === code);
}

export function group(cfg: { groups: GroupConfig[] } | null, name: string): GroupConfig {
  const g = cfg?.groups.find((x) => x.name === name);
  if (!g) throw new Error(`no group ${name} in ${JSON.stringify(cfg?.groups.map((x) => x.name))}`);
  return g;
}
