// The operator docs stay true to the code: default paths, the package script, and the
// migration guide's hand-over snippets and commands.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../../src/cli/ipmpd.js';
import { repoPath } from './repo.js';

const read = (rel: string): string => readFileSync(repoPath(rel), 'utf8');
const DOCS = ['README.md', 'docs/configuration.md', 'docs/migrating.md', 'docs/design.md', 'docs/testing.md'];

describe('operator documentation', () => {
  it('never names a configuration path the daemon does not read by default', () => {
    for (const doc of DOCS) {
      const paths = [...read(doc).matchAll(/\/etc\/ipmpd[\w./-]*\.yaml\b/g)].map((m) => m[0]);
      expect(paths.filter((p) => p !== DEFAULT_CONFIG_PATH), doc).toEqual([]);
    }
    expect(read('docs/configuration.md')).toContain(`\`${DEFAULT_CONFIG_PATH}\``);
    expect(read('docs/configuration.md')).toMatch(/\/etc\/default\/ipmpd[\s\S]*IPMPD_OPTS=/);
  });

  it('README quick start shows how to run the tools and points at the migration guide', () => {
    const quick = read('README.md').split('## Quick start')[1]?.split('\n## ')[0] ?? '';
    for (const tool of ['ipmpctl', 'ipmpd', 'ipmpstat']) expect(quick).toContain(`dist/src/cli/${tool}.js`);
    // It ends with the way to the migration guide, which exists.
    const paragraphs = quick.trim().split(/\n\s*\n/);
    expect(paragraphs[paragraphs.length - 1]).toContain('[docs/migrating.md](docs/migrating.md)');
    expect(read('docs/migrating.md')).toMatch(/^# Migrating a Solaris IPMP server/);
  });

  it('the migration guide runs the real commands in order', () => {
    const guide = read('docs/migrating.md');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['package:deb']).toBeDefined();
    const steps = ['ipmpctl migrate', 'ipmpctl check', 'ipmpctl plan', 'npm run package:deb', 'systemctl enable --now ipmpd', 'ipmpstat -g'];
    const at = steps.map((s) => guide.indexOf(s));
    expect(at.filter((i) => i < 0)).toEqual([]);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('the migration guide carries the hand-over snippet for each network manager', () => {
    const guide = read('docs/migrating.md');
    expect(guide).toMatch(/\[keyfile\]\nunmanaged-devices=interface-name:eth0;interface-name:eth1/);
    expect(guide).toMatch(/\[Network\]\nManageForeignRoutes=no/);
    expect(guide).toMatch(/\[Link\]\nUnmanaged=yes/);
    expect(guide).toContain('KeepConfiguration=');
    expect(guide).toMatch(/### netplan/);
    expect(guide).toMatch(/### Firewalls/);
    expect(guide).toContain('icmp type echo-reply accept');
    expect(guide).toContain('--icmp-type echo-reply -j ACCEPT');
    expect(guide).toMatch(/journalctl -u ipmpd \| grep 'managed by'/);
    expect(guide).toMatch(/\/etc\/network\/interfaces/);
  });
});
