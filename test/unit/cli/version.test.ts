// --version and --help on every tool: same shape everywhere, version from package.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIfMpadm } from '../../../src/cli/if_mpadm.js';
import { runIpmpctl } from '../../../src/cli/ipmpctl.js';
import { runIpmpd } from '../../../src/cli/ipmpd.js';
import { runIpmpstat } from '../../../src/cli/ipmpstat.js';
import { packageVersion } from '../../../src/cli/version.js';
import { runCli } from '../../helpers/cli-io.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const tools = [
  ['ipmpd', runIpmpd], ['ipmpstat', runIpmpstat], ['if_mpadm', runIfMpadm], ['ipmpctl', runIpmpctl],
] as const;

describe.each(tools)('%s', (name, fn) => {
  it('--version prints "<tool> (ipmpd) <package version>" and exits 0', async () => {
    const r = await runCli(fn, ['--version']);
    expect(r).toEqual({ code: 0, stdout: `${name} (ipmpd) ${pkg.version}\n`, stderr: '' });
  });

  it('--help goes to stdout, exits 0 and lists -h, --help and --version', async () => {
    for (const flag of ['-h', '--help']) {
      const r = await runCli(fn, [flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: /i);
      expect(r.stdout).toMatch(/-h, --help/);
      expect(r.stdout).toMatch(/--version/);
    }
  });
});

describe('version lookup', () => {
  it('takes --version wherever it stands among the options', async () => {
    expect((await runCli(runIpmpctl, ['check', '--version'])).stdout).toBe(`ipmpctl (ipmpd) ${pkg.version}\n`);
  });

  it('treats --version after -- as an operand, not a request', async () => {
    const r = await runCli(runIfMpadm, ['--', '--version']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  it('reads the version of the nearest package.json named ipmpd, skipping others', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipmpd-version-'));
    try {
      const inner = join(root, 'node_modules', 'other', 'lib');
      mkdirSync(inner, { recursive: true });
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ipmpd', version: '9.8.7' }));
      writeFileSync(join(root, 'node_modules', 'other', 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
      expect(packageVersion(inner)).toBe('9.8.7');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails loudly when no ipmpd package.json is above it', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipmpd-version-'));
    try {
      expect(() => packageVersion(root)).toThrow(/package\.json of ipmpd not found/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
