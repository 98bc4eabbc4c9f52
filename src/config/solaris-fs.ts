// Gather the Solaris files the importer needs from disk into a SolarisInput. The input is a
// copied root holding etc/, the etc directory itself, or a single ipadm script. Unreadable
// files become INPUT_UNREADABLE findings naming the file; missing optional files are fine.

import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FindingSink } from './findings.js';
import type { SolarisInput } from './solaris-import.js';

/** Files bigger than this are not configuration files; refuse rather than choke. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const ETC_FILES = ['inet/hosts', 'hosts', 'inet/ipnodes', 'inet/netmasks', 'netmasks', 'defaultrouter', 'default/mpathd', 'ipadm/ipadm.conf'];

/** Names treated as ipadm command scripts (Solaris 11 build scripts). */
export function isIpadmScriptName(name: string): boolean {
  return /^ipadm.*\.sh$/.test(name) || name.endsWith('.ipadm');
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message}` : String(e);
}

async function isDir(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

async function readOne(abs: string, rel: string, files: Map<string, string>, sink: FindingSink, optional: boolean): Promise<void> {
  try {
    const st = await stat(abs);
    if (st.isDirectory()) {
      if (!optional) sink.add('INPUT_UNREADABLE', rel, 0, `${rel} is a directory, expected a file`);
      return;
    }
    if (st.size > MAX_FILE_BYTES) {
      sink.add('INPUT_UNREADABLE', rel, 0, `${rel} is ${st.size} bytes; not a configuration file (limit ${MAX_FILE_BYTES})`);
      return;
    }
    files.set(rel, (await readFile(abs)).toString('utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A missing optional file, or a symlink into the original host's / (dangling here).
    if (code === 'ENOENT' && optional) return;
    sink.add('INPUT_UNREADABLE', rel, 0, `cannot read ${rel}: ${errText(e)}`);
  }
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

export async function readIpadmScriptFile(path: string, sink: FindingSink): Promise<SolarisInput> {
  const files = new Map<string, string>();
  const rel = basename(path);
  await readOne(path, rel, files, sink, false);
  return { files, etc: 'etc/', ipadmScripts: files.has(rel) ? [rel] : [], label: rel };
}
