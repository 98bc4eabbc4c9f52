// npm pack: the tarball installs with `npm install -g` on a machine without a compiler and
// without the registry (prebuilt addon, dependencies bundled), and holds only runtime files.
// The install runs with a PATH of node, npm and sh only: no cc, g++, make or python3.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './tools.js';
import { repoPath } from './repo.js';

const BUILD_MS = 180_000;
const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
let work: string;
let tarball: string;
let entries: string[] = [];
let prefix: string;
let bin: string;
let install: { status: number | null; stdout: string; stderr: string };

/** npm with the given PATH and nothing else from this environment but HOME (its cache). */
function npm(args: string[], path: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npm', args, {
    cwd, encoding: 'utf8', timeout: BUILD_MS,
    env: { HOME: process.env.HOME ?? homedir(), PATH: path, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ipmpd-pack-'));
  // The suite has built dist/ already (npm test: build:ts); `npm pack` would run prepare (tsc)
  // again and rewrite dist/ under the integration tests' feet, so its other scripts run here.
  const repo = repoPath('');
  try {
    const pre = npm(['run', 'prepack'], process.env.PATH ?? '', repo);
    if (pre.status !== 0) throw new Error(`npm run prepack failed: ${pre.stderr}`);
    const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], process.env.PATH ?? '', repo);
    if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    entries = info!.files.map((f) => f.path);
  } finally {
    npm(['run', 'postpack'], process.env.PATH ?? '', repo);
  }
  // A PATH without any compiler: only node, npm and sh.
  bin = join(work, 'bin');
  mkdirSync(bin);
  for (const tool of ['node', 'npm', 'sh']) {
    const where = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(where, join(bin, tool));
  }
  prefix = join(work, 'prefix');
  install = npm(['install', '-g', '--prefix', prefix, '--offline', '--foreground-scripts', tarball], bin, work);
}, BUILD_MS);
afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('npm pack tarball', () => {
  it('carries the prebuilt addon for this platform and only runtime files of its own', () => {
    expect(entries).toContain(`prebuilds/${process.platform}-${process.arch}/ipmpd_socket.napi.glibc.node`);
    expect(entries).toEqual(expect.arrayContaining(['dist/src/cli/ipmpd.js', 'binding.gyp', 'native/socket.cc', 'package.json']));
    const own = entries.filter((p) => !p.startsWith('node_modules/'));
    expect(own.filter((p) => /^dist\/(test|bench)\/|\.map$|\.ts$|^build\/|^test\/|^bench\//.test(p))).toEqual([]);
    // The runtime dependencies ride along (installs offline); no development package does.
    expect(entries).toContain('node_modules/pino/package.json');
    expect(entries.filter((p) => /^node_modules\/(vitest|typescript|node-gyp|fast-check|marked|marked-man|@types)\//.test(p))).toEqual([]);
  });

  it('leaves no prebuilds/ in the checkout, so npm ci there keeps building from source', () => {
    expect(existsSync(repoPath('prebuilds'))).toBe(false);
  });

  it('installs with npm install -g --offline and no compiler on PATH, building nothing', () => {
    expect(install.stderr).not.toMatch(/gyp (ERR|info)/);
    expect(install.status, install.stderr).toBe(0);
    const installed = join(prefix, 'lib/node_modules/ipmpd');
    expect(readdirSync(installed)).toContain('prebuilds');
    expect(existsSync(join(installed, 'build'))).toBe(false);
  });

  it('runs ipmpctl --version and ipmpstat --help from the install prefix', () => {
    const env = { PATH: bin };
    const version = run(join(prefix, 'bin/ipmpctl'), ['--version'], { env });
    expect(version.stdout).toBe(`ipmpctl (ipmpd) ${pkg.version}\n`);
    expect(version.status).toBe(0);
    const help = run(join(prefix, 'bin/ipmpstat'), ['--help'], { env });
    expect(help.stdout).toMatch(/^usage: ipmpstat/);
    expect(help.status).toBe(0);
    // The bundled dependencies load: ipmpctl check reads YAML (yaml, zod).
    const conf = join(work, 'check.yaml');
    writeFileSync(conf, 'groups:\n  - name: g\n    interfaces: [{ name: eth0 }, { name: eth1 }]\n');
    const check = run(join(prefix, 'bin/ipmpctl'), ['check', conf], { env });
    expect(check.stdout).toMatch(/name: g/);
    expect(check.status).toBe(0);
    // The addon itself loads (ipmpctl --version does not need it).
    const addon = run(join(bin, 'node'), ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(join(prefix, 'lib/node_modules/ipmpd/dist/src/sys/addon.js'))}); console.log(typeof m.addon.monotonicNs())`], { env });
    expect(addon.stdout.trim()).toBe('bigint');
  });
});
