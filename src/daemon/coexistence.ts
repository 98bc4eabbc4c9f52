// Another network manager configuring a group member fights ipmpd over its addresses and
// routes (NetworkManager re-adds what it owns, systemd-networkd removes foreign routes). At
// start ipmpd looks — read-only, bounded in time, after READY — whether NetworkManager or
// systemd-networkd manages a member, and says how to hand it over (docs/migrating.md,
// "Hand the NICs over"). Neither being installed or running is the normal case: silence.
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type NetworkManagerName = 'NetworkManager' | 'systemd-networkd';

export interface ManagedMember {
  ifname: string;
  manager: NetworkManagerName;
  /** What the manager said: "state connected", "ADMIN_STATE=configured, /etc/systemd/network/x.network". */
  evidence: string;
}

export interface CoexistenceSources {
  /** systemd-networkd's per-link state files, named by ifindex. */
  networkdLinksDir: string;
  /** The nmcli program (looked up on PATH when not absolute). */
  nmcli: string;
  /**
   * Skip both when ipmpd runs in another network namespace than PID 1 (both managers describe
   * the host's links; an ifindex or a name here may mean another NIC there). Off when a test or
   * an admin points the sources somewhere else.
   */
  onlyInInitNetns: boolean;
  /** Upper bound for nmcli. */
  timeoutMs: number;
}

export const DEFAULT_SOURCES: CoexistenceSources = {
  networkdLinksDir: '/run/systemd/netif/links',
  nmcli: 'nmcli',
  onlyInInitNetns: true,
  timeoutMs: 2000,
};

/** Sources from the environment: IPMPD_NETWORKD_LINKS_DIR and IPMPD_NMCLI override the defaults. */
export function sourcesFromEnv(env: NodeJS.ProcessEnv): CoexistenceSources {
  const links = env.IPMPD_NETWORKD_LINKS_DIR;
  const nmcli = env.IPMPD_NMCLI;
  return {
    ...DEFAULT_SOURCES,
    networkdLinksDir: links || DEFAULT_SOURCES.networkdLinksDir,
    nmcli: nmcli || DEFAULT_SOURCES.nmcli,
    onlyInInitNetns: !links && !nmcli,
  };
}

/** networkd's link state file: KEY=VALUE lines. */
export function parseNetworkdLinkState(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_0-9]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/** Admin states in which networkd applies (or tried to apply) a .network file to the link. */
const NETWORKD_MANAGING = new Set(['configuring', 'configured', 'failed']);

export function networkdVerdict(state: Map<string, string>): string | null {
  const admin = state.get('ADMIN_STATE');
  if (admin === undefined || !NETWORKD_MANAGING.has(admin)) return null;
  const file = state.get('NETWORK_FILE');
  return `ADMIN_STATE=${admin}${file ? `, ${file}` : ''}`;
}

/** `nmcli -t -f DEVICE,STATE device`: "eth0:connected"; a ":" in a name is written "\:". */
export function parseNmcliDevices(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let name = '';
    let i = 0;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '\\' && i + 1 < line.length) name += line[++i];
      else if (c === ':') break;
      else name += c;
    }
    if (i < line.length) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

/** Every NetworkManager device state but "unmanaged" means it may configure the device. */
export function nmVerdict(state: string | undefined): string | null {
  if (state === undefined || state === 'unmanaged') return null;
  return `state ${state}`;
}

/** The exact hand-over, named in the warning. */
export function handOver(m: ManagedMember): string {
  const guide = 'see "Hand the NICs over" in docs/migrating.md (/usr/share/doc/ipmpd/migrating.md)';
  if (m.manager === 'NetworkManager') {
    return `hand it over with "unmanaged-devices=interface-name:${m.ifname}" under [keyfile] in /etc/NetworkManager/conf.d/90-ipmpd.conf, then systemctl reload NetworkManager; ${guide}`;
  }
  return `hand it over with a .network file matching Name=${m.ifname} with [Link] Unmanaged=yes, and ManageForeignRoutes=no under [Network] in /etc/systemd/networkd.conf.d/90-ipmpd.conf, then systemctl restart systemd-networkd; ${guide}`;
}

export function warningText(m: ManagedMember): string {
  return `${m.ifname}: managed by ${m.manager} (${m.evidence}); it may change or remove the addresses and routes ipmpd places on it: ${handOver(m)}`;
}

async function sameNetnsAsInit(): Promise<boolean> {
  try {
    return (await readlink('/proc/self/ns/net')) === (await readlink('/proc/1/ns/net'));
  } catch {
    // Without CAP_SYS_PTRACE (the systemd unit) PID 1's namespace is unreadable; the unit
    // runs ipmpd in the host's namespace, where both managers live.
    return true;
  }
}

async function networkdManaged(members: { ifname: string; ifindex: number }[], dir: string): Promise<ManagedMember[]> {
  const found: ManagedMember[] = [];
  for (const { ifname, ifindex } of members) {
    let text: string;
    try {
      text = await readFile(join(dir, String(ifindex)), 'utf8');
    } catch {
      continue; // no file: networkd not running, or not tracking this link
    }
    const evidence = networkdVerdict(parseNetworkdLinkState(text));
    if (evidence) found.push({ ifname, manager: 'systemd-networkd', evidence });
  }
  return found;
}

function runNmcli(nmcli: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    // Absent, NetworkManager not running, or too slow: nothing to say. The timer also covers
    // a child whose own children keep the output pipe open past the kill.
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, timeoutMs);
    timer.unref();
    const child = execFile(nmcli, ['-t', '-f', 'DEVICE,STATE', 'device'], { maxBuffer: 1 << 20, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout) => { clearTimeout(timer); resolve(err ? null : stdout); });
  });
}

/** Which members another network manager configures. Never throws; never writes anything. */
export async function detectManagedMembers(members: { ifname: string; ifindex: number }[], src: CoexistenceSources): Promise<ManagedMember[]> {
  if (members.length === 0) return [];
  if (src.onlyInInitNetns && !(await sameNetnsAsInit())) return [];
  const [networkd, nm] = await Promise.all([
    networkdManaged(members, src.networkdLinksDir),
    runNmcli(src.nmcli, src.timeoutMs),
  ]);
  const found = [...networkd];
  if (nm !== null) {
    const states = parseNmcliDevices(nm);
    for (const { ifname } of members) {
      const evidence = nmVerdict(states.get(ifname));
      if (evidence) found.push({ ifname, manager: 'NetworkManager', evidence });
    }
  }
  return found;
}
