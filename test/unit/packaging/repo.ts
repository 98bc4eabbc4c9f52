// Paths into the repository and the lab constants, shared by the packaging tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const repoPath = (rel: string): string => `${REPO}${rel}`;

/** vagrant/guest/lab.env as a map (plain KEY=VALUE lines; comments ignored). */
export function labEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(repoPath('vagrant/guest/lab.env'), 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line.trim());
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

export const withoutPrefix = (cidr: string): string => cidr.split('/')[0] as string;
