// Gather the Solaris files the importer needs from disk into a SolarisInput. The input is a
// copied root holding etc/, the etc directory itself, or a single ipadm script. Unreadable
// files become INPUT_UNREADABLE findings naming the file; missing optional files are fine.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoText, readBounded } from './bounded-read.js';
import { FindingSink } from './findings.js';
import type { SolarisInput } from './solaris-import.js';

const ETC_FILES = ['inet/hosts', 'hosts', 'inet/ipnodes', 'inet/netmasks', 'netmasks', 'defaultrouter', 'default/mpathd', 'ipadm/ipadm.conf', 'dladm/datalink.conf'];

/** Names treated as ipadm command scripts (Solaris 11 build scripts). */
export function isIpadmScriptName(name: string): boolean {
  return /^ipadm.*\.sh$/.test(name) || name.endsWith('.ipadm');
}

const errText = errnoText;

async function isDir(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

async function readOne(abs: string, rel: string, files: Map<string, string>, sink: FindingSink, optional: boolean): Promise<void> {
  const r = await readBounded(abs, rel);
  if (r.ok) {
    files.set(rel, r.text);
    return;
  }
  // A missing optional file, or a symlink into the original host's / (dangling here).
  if (r.code === 'INPUT_UNREADABLE' && r.errno === 'ENOENT' && optional) return;
  if (r.code === 'INPUT_NOT_REGULAR' && optional && (await isDir(abs))) return;
  sink.add(r.code, rel, 0, r.message);
}

export async function readSolarisDir(dir: string, sink: FindingSink): Promise<SolarisInput> {
  const files = new Map<string, string>();
  const ipadmScripts: string[] = [];
  // A copied root holds etc/; otherwise the directory is etc itself. Paths are always etc/...
  const etcAbs = (await isDir(join(dir, 'etc'))) ? join(dir, 'etc') : dir;
  const rootIsEtc = etcAbs === dir;
  const etc = 'etc/';
  let etcNames: string[] = [];
  try {
    etcNames = (await readdir(etcAbs)).sort();
  } catch (e) {
    sink.add('INPUT_UNREADABLE', etcAbs, 0, `cannot list ${etcAbs}: ${errText(e)}`);
    return { files, etc, ipadmScripts, label: dir };
  }
  for (const name of etcNames) {
    if (name.startsWith('hostname') || name.startsWith('dhcp.')) {
      await readOne(join(etcAbs, name), etc + name, files, sink, name.startsWith('dhcp.'));
    }
  }
  for (const f of ETC_FILES) await readOne(join(etcAbs, f), etc + f, files, sink, true);

  const scriptDirs: { abs: string; rel: string; names: string[] }[] = [{ abs: etcAbs, rel: etc, names: etcNames }];
  if (!rootIsEtc) {
    try { scriptDirs.unshift({ abs: dir, rel: '', names: (await readdir(dir)).sort() }); } catch (e) {
      sink.add('INPUT_UNREADABLE', dir, 0, `cannot list ${dir}: ${errText(e)}`);
    }
  }
  for (const d of scriptDirs) {
    for (const name of d.names.filter(isIpadmScriptName)) {
      const rel = d.rel + name;
      await readOne(join(d.abs, name), rel, files, sink, false);
      if (files.has(rel)) ipadmScripts.push(rel);
    }
  }
  return { files, etc, ipadmScripts, label: dir };
}
