// Solaris boot over /etc/hostname.* and /etc/hostname6.* (net-physical + net_include.sh):
// which files count, in which order, and how each file becomes ifconfig commands.

import { FindingSink } from './findings.js';
import type { AddrFamily, HostState } from './host-state.js';
import { findLogical, newLogical, physicalName } from './host-state.js';
import { type IfconfigEnv, runIfconfig } from './ifconfig-exec.js';
import { type ReadRecord, shellReadLines } from './shell-read.js';

export const ONE_LINE_EPILOGUE = ['netmask', '+', 'broadcast', '+', 'up'];

export interface HostnameFile {
  path: string;
  ifname: string;
  family: AddrFamily;
}

/**
 * Pick the files boot reads: `hostname.*[0-9]` / `hostname6.*[0-9]` directly in etc/, with no
 * further dot in the interface part. Others that look like hostname files get FILE_IGNORED.
 */
export function discoverHostnameFiles(paths: Iterable<string>, etc: string, sink: FindingSink): HostnameFile[] {
  const out: HostnameFile[] = [];
  for (const path of paths) {
    if (!path.startsWith(etc)) continue;
    const base = path.slice(etc.length);
    if (base.includes('/')) continue;
    const m = /^hostname(6?)\.(.*)$/.exec(base);
    if (!m) continue;
    const ifname = m[2]!;
    if (ifname === '' || !/[0-9]$/.test(ifname) || ifname.includes('.')) {
      sink.add('FILE_IGNORED', path, 0, 'Solaris boot reads only hostname.<if> / hostname6.<if> whose name ends in a digit and has no further dot; this file is ignored');
      continue;
    }
    out.push({ path, ifname, family: m[1] === '6' ? 'inet6' : 'inet' });
  }
  // sh glob order (C collation), IPv4 files before IPv6 files.
  return out.sort((a, b) => (a.family === b.family ? (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) : a.family === 'inet' ? -1 : 1));
}

/** Plumb every interface named by a hostname file, before any file is processed (boot order). */
export function plumbAll(host: HostState, files: HostnameFile[]): void {
  for (const f of files) {
    const origin = { file: f.path, line: 0 };
    const { phys: pn, index } = physicalName(f.ifname);
    const p = host.getPhys(pn, origin);
    host.plumb(p, f.family, origin);
    if (index !== 0 && !findLogical(p, f.family, index)) p.logicals.push(newLogical(pn, f.family, index, origin));
    if (/^ipmp\d+$/.test(pn)) { p.ipmp = true; host.clearview = true; }
  }
}

function reportLineTraps(recs: ReadRecord[], path: string, sink: FindingSink): void {
  for (const r of recs) {
    const hash = r.words.findIndex((w) => w.startsWith('#'));
    if (hash !== -1) {
      sink.add('COMMENT_IN_HOSTNAME_FILE', path, r.line, hash === 0
        ? 'Solaris boot does not strip comments: this line is passed to ifconfig, fails with "bad address", and still counts as a line (no implicit "netmask + broadcast + up" for the file)'
        : `Solaris boot does not strip comments: "${r.words.slice(hash).join(' ')}" is passed to ifconfig, which fails with "bad address" at "${r.words[hash]}"`);
    }
    if (r.unterminated && r.words.length > 0) {
      sink.add('NO_FINAL_NEWLINE', path, r.line, 'the last line has no newline: the boot script\'s `while read` loop may drop it; ipmpd assumes it ran — add a newline on the Solaris host to be sure');
    }
  }
}

/** inet_process_hostname: one line ⇒ implicit epilogue; N lines ⇒ verbatim; blank lines count. */
export function processIpv4File(env: IfconfigEnv, f: HostnameFile, text: string, dhcpFile: string | undefined): void {
  const recs = shellReadLines(text);
  if (dhcpFile !== undefined) {
    env.sink.add('DYNAMIC_ADDRESS', dhcpFile, 0, `${f.ifname} is configured by DHCP at boot (${dhcpFile} exists); ipmpd does not migrate dynamic addresses`);
    const nonEmpty = recs.filter((r) => r.words.length > 0);
    // Boot's DHCP hostname case: a file holding exactly "inet <name>" is not run through ifconfig.
    if (nonEmpty.length === 1 && nonEmpty[0]!.words.length === 2 && nonEmpty[0]!.words[0] === 'inet') return;
  }
  reportLineTraps(recs, f.path, env.sink);
  const commands: ReadRecord[] = [];
  let held: ReadRecord | null = null;
  let multiple = false;
  for (const r of recs) {
    if (held && held.words.length > 0) { commands.push(held); multiple = true; }
    held = r;
  }
  if (!held || held.words.length === 0) {
    if (commands.length === 1 && recs.filter((r) => r.words.length > 0).length === 1) {
      const only = commands[0]!;
      env.sink.add('TRAILING_BLANK_LINE', f.path, only.line, 'the only command is followed by a blank line, so boot treats the file as multi-line and does NOT add "netmask + broadcast + up"');
    }
  } else commands.push(held);
  if (commands.length === 0) return;
  if (multiple) env.host.multiLineFiles.add(f.path);
  commands.forEach((c, i) => {
    const words = !multiple && i === commands.length - 1 ? [...c.words, ...ONE_LINE_EPILOGUE] : c.words;
    runIfconfig(env, { ifname: f.ifname, family: 'inet', words, origin: { file: f.path, line: c.line } });
  });
}

/** inet6_process_hostname: every non-empty line verbatim, then always `ifconfig <if> inet6 up`. */
export function processIpv6File(env: IfconfigEnv, f: HostnameFile, text: string): void {
  const recs = shellReadLines(text);
  reportLineTraps(recs, f.path, env.sink);
  for (const r of recs) {
    if (r.words.length === 0) continue;
    runIfconfig(env, { ifname: f.ifname, family: 'inet6', words: r.words, origin: { file: f.path, line: r.line } });
  }
  const { phys, index } = physicalName(f.ifname);
  const p = env.host.phys.get(phys);
  const l = p && findLogical(p, 'inet6', index);
  if (l) { l.up = true; l.upOrigin ??= { file: f.path, line: 0 }; }
}
