// The daemon's and ipmpctl's single entry point for configuration: a native YAML file, a
// Solaris tree (root holding etc/, or etc itself), or a Solaris 11 ipadm script. Never
// throws for bad input; everything wrong is a finding.

import { stat } from 'node:fs/promises';
import { errnoText, readBounded } from './bounded-read.js';
import { FindingSink, sortFindings } from './findings.js';
import type { Origin } from './host-state.js';
import type { Finding, IpmpConfig } from './model.js';
import { importSolaris } from './solaris-import.js';
import { basename } from 'node:path';
import { readSolarisDir } from './solaris-fs.js';
import { parseYamlConfig } from './yaml-config.js';

export { formatFinding, hasErrors, hasInputFailure, sortFindings } from './findings.js';
export { parseYamlConfig, toYaml } from './yaml-config.js';

export interface LoadResult {
  config: IpmpConfig | null;
  findings: Finding[];
  source: 'yaml' | 'solaris';
  /** Solaris input: where each model element came from (ipmpctl migrate places findings by it). */
  origins?: Map<string, Origin>;
}

export interface LoadOptions {
  /** Solaris NIC name → Linux name (--map ce0=eth0). */
  map?: Record<string, string>;
}

/** A line that runs ipadm: what makes a file an ipadm build script. */
const IPADM_COMMAND = /^\s*(\S*\/)?ipadm\s/m;

/** A file is YAML by extension, or by content that starts like our native format. */
function looksLikeYaml(path: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(path)) return true;
  return /^(groups|mpathd|defaultRouters|daemon|metrics)\s*:/m.test(text) && !IPADM_COMMAND.test(text);
}

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const sink = new FindingSink();
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    sink.add('INPUT_UNREADABLE', path, 0, `cannot read ${path}: ${errnoText(err)}`);
    return { config: null, findings: sink.list, source: /\.ya?ml$/i.test(path) ? 'yaml' : 'solaris' };
  }
  if (isDirectory) {
    const input = await readSolarisDir(path, sink);
    const r = importSolaris(input, opts);
    return { config: r.config, findings: sortFindings([...sink.list, ...r.findings]), source: 'solaris', ...(r.origins ? { origins: r.origins } : {}) };
  }
  const read = await readBounded(path);
  if (!read.ok) {
    sink.add(read.code, path, 0, read.message);
    return { config: null, findings: sink.list, source: /\.ya?ml$/i.test(path) ? 'yaml' : 'solaris' };
  }
  const text = read.text;
  if (looksLikeYaml(path, text)) {
    const r = parseYamlConfig(text, path);
    return { config: r.config, findings: sortFindings(r.findings), source: 'yaml' };
  }
  if (!IPADM_COMMAND.test(text)) {
    // Neither our YAML nor an ipadm script: an empty file, a typo'd path, random bytes.
    sink.add('NOT_A_CONFIGURATION', path, 0,
      `${path} is not an ipmpd configuration: not YAML (name it *.yaml, or start with "groups:"), not an ipadm script (no ipadm command), not a Solaris directory`);
    return { config: null, findings: sink.list, source: 'solaris' };
  }
  const input = { files: new Map([[basename(path), text]]), etc: 'etc/', ipadmScripts: [basename(path)], label: basename(path) };
  const r = importSolaris(input, opts);
  return { config: r.config, findings: sortFindings([...sink.list, ...r.findings]), source: 'solaris', ...(r.origins ? { origins: r.origins } : {}) };
}
