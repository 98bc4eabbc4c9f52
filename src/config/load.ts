// The daemon's and ipmpctl's single entry point for configuration: a native YAML file, a
// Solaris tree (root holding etc/, or etc itself), or a Solaris 11 ipadm script. Never
// throws for bad input; everything wrong is a finding.

import { readFile, stat } from 'node:fs/promises';
import { FindingSink, sortFindings } from './findings.js';
import type { Finding, IpmpConfig } from './model.js';
import { importSolaris } from './solaris-import.js';
import { readIpadmScriptFile, readSolarisDir } from './solaris-fs.js';
import { parseYamlConfig } from './yaml-config.js';

export { formatFinding, hasErrors, hasInputFailure, sortFindings } from './findings.js';
export { parseYamlConfig, toYaml } from './yaml-config.js';

export interface LoadResult {
  config: IpmpConfig | null;
  findings: Finding[];
  source: 'yaml' | 'solaris';
}

export interface LoadOptions {
  /** Solaris NIC name → Linux name (--map ce0=eth0). */
  map?: Record<string, string>;
}

/** A file is YAML by extension, or by content that starts like our native format. */
function looksLikeYaml(path: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(path)) return true;
  return /^(groups|mpathd|defaultRouters|daemon)\s*:/m.test(text) && !/^\s*(\S*\/)?ipadm\s/m.test(text);
}

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const sink = new FindingSink();
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    sink.add('INPUT_UNREADABLE', path, 0, `cannot read ${path}: ${err.code ?? ''} ${err.message}`.trim());
    return { config: null, findings: sink.list, source: /\.ya?ml$/i.test(path) ? 'yaml' : 'solaris' };
  }
  if (isDirectory) {
    const input = await readSolarisDir(path, sink);
    const r = importSolaris(input, opts);
    return { config: r.config, findings: sortFindings([...sink.list, ...r.findings]), source: 'solaris' };
  }
  let text: string;
  try {
    text = (await readFile(path)).toString('utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    sink.add('INPUT_UNREADABLE', path, 0, `cannot read ${path}: ${err.code ?? ''} ${err.message}`.trim());
    return { config: null, findings: sink.list, source: 'yaml' };
  }
  if (looksLikeYaml(path, text)) {
    const r = parseYamlConfig(text, path);
    return { config: r.config, findings: sortFindings(r.findings), source: 'yaml' };
  }
  const input = await readIpadmScriptFile(path, sink);
  const r = importSolaris(input, opts);
  return { config: r.config, findings: sortFindings([...sink.list, ...r.findings]), source: 'solaris' };
}
