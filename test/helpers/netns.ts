// Test topologies in throw-away network namespaces. Every name starts with NS_PREFIX so a
// crashed run's leftovers can be found and removed; nothing here touches the host namespace.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const NS_PREFIX = 'ipmpdt-';

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `ip` in a namespace: ip(ns, 'link', 'set', ...). */
export function ip(ns: string, ...args: string[]): string {
  return sh('ip', ['-n', ns, ...args]);
}

export function ipJson<T = unknown>(ns: string, ...args: string[]): T {
  return JSON.parse(sh('ip', ['-j', '-n', ns, ...args]) || '[]') as T;
}

/** Runs a command inside a namespace (ip netns exec). */
export function nsExec(ns: string, cmd: string, args: string[]): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** Namespaces whose creating process is gone: a crashed run's leftovers. Concurrent runs keep theirs. */
export function orphanedTestNamespaces(): string[] {
  return listTestNamespaces().filter((n) => {
    const pid = Number(n.slice(NS_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
}

export function listTestNamespaces(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
}

export function deleteNamespace(name: string): void {
  try {
    sh('ip', ['netns', 'del', name]);
  } catch {
    // Already gone: the goal state is reached.
  }
}

/** A set of namespaces created together and removed together. */
export class Lab {
  // The creator's pid is part of the name so leftovers can be told from a concurrent run's.
  readonly id = `${process.pid}-${randomBytes(2).toString('hex')}`;
  private readonly names: string[] = [];

  /** Creates namespace `<prefix><pid>-<rand>-<role>` with lo up and returns its name. */
  ns(role: string): string {
    const name = `${NS_PREFIX}${this.id}-${role}`;
    sh('ip', ['netns', 'add', name]);
    this.names.push(name);
    ip(name, 'link', 'set', 'lo', 'up');
    return name;
  }

  path(name: string): string {
    return `/run/netns/${name}`;
  }

  /** veth pair with ends in two namespaces (same namespace allowed). */
  veth(nsA: string, nameA: string, nsB: string, nameB: string): void {
    ip(nsA, 'link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB);
  }

  destroy(): void {
    for (const n of this.names.splice(0)) deleteNamespace(n);
  }
}

/** Integration tests need root and namespaces; in CI missing either is a failure, never a skip. */
export function requireNetnsSupport(): boolean {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    if (process.env.CI) throw new Error('integration tests need root (CI=true): refusing to skip');
    return false;
  }
  return true;
}
