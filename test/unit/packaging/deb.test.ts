// npm run package:deb: the .deb holds the runtime (and only it), runs from where it installs,
// leaves the service disabled, and lintian finds no error in it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, needTool, run } from './tools.js';
import { repoPath } from './repo.js';
import { last, parseUnitFile } from './unit-file.js';

const BUILD_MS = 180_000;
const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
let work: string;
let deb: string;
let listing: { mode: string; owner: string; path: string }[] = [];
let extracted: string;

beforeAll(() => {
  if (!hasTool('dpkg-deb')) return; // each test reports it (skip, or fail under CI)
  work = mkdtempSync(join(tmpdir(), 'ipmpd-deb-'));
  const r = spawnSync('bash', [repoPath('scripts/package-deb.sh'), join(work, 'out')], { encoding: 'utf8', timeout: BUILD_MS });
  if (r.status !== 0) throw new Error(`package:deb failed (${r.status}): ${r.stderr}`);
  deb = r.stdout.trim().split('\n').pop() as string;
  listing = run('dpkg-deb', ['-c', deb]).stdout.trim().split('\n').map((l) => {
    const f = l.split(/\s+/);
    return { mode: f[0] as string, owner: f[1] as string, path: (f[5] as string).replace(/^\.\//, '/') };
  });
  extracted = join(work, 'root');
  expect(run('dpkg-deb', ['-x', deb, extracted]).status).toBe(0);
  expect(run('dpkg-deb', ['-e', deb, join(extracted, 'DEBIAN')]).status).toBe(0);
}, BUILD_MS);
afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

const paths = (): string[] => listing.map((e) => e.path);
const mode = (path: string): string | undefined => listing.find((e) => e.path === path)?.mode;

describe('ipmpd .deb', () => {
  it('is named for the package version and carries its control fields', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    expect(deb).toMatch(new RegExp(`/ipmpd_${pkg.version.replace(/\./g, '\\.')}_[a-z0-9]+\\.deb$`));
    const field = (f: string): string => run('dpkg-deb', ['-f', deb, f]).stdout.trim();
    expect(field('Package')).toBe('ipmpd');
    expect(field('Version')).toBe(pkg.version);
    expect(field('Depends')).toMatch(/^nodejs \(>= 20\)(,|$)/);
    expect(run('dpkg-deb', ['-I', deb]).stdout).toMatch(/conffiles/);
    expect(readFileSync(join(extracted, 'DEBIAN/conffiles'), 'utf8').trim().split('\n').sort())
      .toEqual(['/etc/default/ipmpd', '/etc/iproute2/rt_protos.d/ipmpd.conf', '/etc/ipmpd/ipmpd.yaml.example'].sort());
  });

  it('installs the commands, unit, configuration files, rt_protos entry and man pages, owned by root', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    for (const tool of ['/usr/sbin/ipmpd', '/usr/sbin/ipmpstat', '/usr/sbin/if_mpadm', '/usr/bin/ipmpctl']) {
      expect(mode(tool), tool).toBe('-rwxr-xr-x');
    }
    expect(paths()).toEqual(expect.arrayContaining([
      '/lib/systemd/system/ipmpd.service', '/etc/ipmpd/ipmpd.yaml.example', '/etc/default/ipmpd',
      '/etc/iproute2/rt_protos.d/ipmpd.conf', '/usr/lib/ipmpd/build/Release/ipmpd_socket.node',
      '/usr/share/man/man8/ipmpd.8.gz', '/usr/share/man/man8/ipmpstat.8.gz', '/usr/share/man/man8/if_mpadm.8.gz',
      '/usr/share/man/man8/ipmpctl.8.gz', '/usr/share/man/man5/ipmpd.yaml.5.gz', '/usr/share/doc/ipmpd/copyright',
      '/usr/share/bash-completion/completions/ipmpd',
    ]));
    // The other three commands find the same file under their own names.
    for (const t of ['ipmpstat', 'if_mpadm', 'ipmpctl']) {
      const entry = run('dpkg-deb', ['-c', deb]).stdout.split('\n').find((l) => l.includes(`/bash-completion/completions/${t} `));
      expect(entry, t).toMatch(/^l.* -> ipmpd$/);
    }
    expect(listing.filter((e) => e.owner !== 'root/root')).toEqual([]);
  });

  it('ships only runtime files: no tests, benchmarks, source maps or development packages', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    const bad = paths().filter((p) => /\/dist\/(test|bench)\/|\.map$|\.ts$|\/node_modules\/(vitest|typescript|node-gyp|fast-check|marked|marked-man|node-addon-api|@types)\//.test(p));
    expect(bad).toEqual([]);
    expect(paths()).toContain('/usr/lib/ipmpd/node_modules/pino/package.json');
  });

  it('runs from its installed layout: every module, the addon and the dependencies load', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    const lib = join(extracted, 'usr/lib/ipmpd');
    // The wrappers point at /usr/lib/ipmpd; run the same file from the extracted copy.
    expect(readFileSync(join(extracted, 'usr/sbin/ipmpd'), 'utf8')).toContain('exec /usr/bin/node --max-semi-space-size=1 /usr/lib/ipmpd/dist/src/cli/ipmpd.js "$@"');
    expect(run(process.execPath, [join(lib, 'dist/src/cli/ipmpd.js'), '--version']).stdout).toBe(`ipmpd (ipmpd) ${pkg.version}\n`);
    const addon = run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(lib, 'dist/src/sys/addon.js'))}); console.log(typeof m.addon.monotonicNs())`]);
    expect(addon.stdout.trim()).toBe('bigint');
    const check = run(process.execPath, [join(lib, 'dist/src/cli/ipmpctl.js'), 'check', join(extracted, 'etc/ipmpd/ipmpd.yaml.example')]);
    expect(check.status).toBe(0);
  });

  it('installs the unit pointing at /usr/sbin/ipmpd and never enables or starts it', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    const unit = parseUnitFile(readFileSync(join(extracted, 'lib/systemd/system/ipmpd.service'), 'utf8'));
    expect(last(unit, 'Service', 'ExecStart')).toBe('/usr/sbin/ipmpd $IPMPD_OPTS');
    for (const script of ['postinst', 'prerm', 'postrm']) {
      expect(readFileSync(join(extracted, 'DEBIAN', script), 'utf8')).not.toMatch(/\b(enable|start|restart)\b/);
    }
  });

  it('lintian reports no error', (ctx) => {
    needTool(ctx, 'dpkg-deb', 'dpkg');
    needTool(ctx, 'lintian', 'lintian');
    const r = spawnSync('lintian', ['--fail-on', 'error', '--tag-display-limit', '0', deb], { encoding: 'utf8', timeout: BUILD_MS });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('E: '))).toEqual([]);
    expect(r.status).toBe(0);
  }, BUILD_MS);

  it('the build and maintainer scripts pass shellcheck', (ctx) => {
    needTool(ctx, 'shellcheck', 'shellcheck');
    const r = run('shellcheck', ['scripts/package-deb.sh', 'packaging/deb/postinst', 'packaging/deb/prerm', 'packaging/deb/postrm'], { cwd: repoPath('') });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
