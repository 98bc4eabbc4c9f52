// ipmpctl migrate / check, in-process: exit codes, output streams, -o, -j, round trip.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCheck } from '../../../src/cli/ipmpctl-check.js';
import { runMigrate } from '../../../src/cli/ipmpctl-migrate.js';
import { runCli } from '../../helpers/cli-io.js';
import { loadConfig } from '../../../src/config/load.js';

const SEED = 'test/fixtures/solaris/appserver-seed';
const FIXED = 'test/fixtures/solaris/appserver-fixed';
const MAP = ['--map', 'ce0=eth0', '--map', 'ce1=eth1'];
const tmp = mkdtempSync(join(tmpdir(), 'ipmpctl-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

describe('ipmpctl migrate', () => {
  test('seed: exit 1, YAML still written, the error on stderr in the documented format', async () => {
    const r = await run(runMigrate, [SEED, ...MAP]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('name: appserver-ipmp');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error DUPLICATE_DATA_ADDRESS etc\/hostname\.ce1:1 /)]);
  });

  test('a Solaris 11 root (etc/ipadm/ipadm.conf) migrates like a Solaris 10 one, in both store dialects', async () => {
    for (const d of ['s11-conf-oracle', 's11-conf-illumos']) {
      const r = await run(runMigrate, [`test/fixtures/solaris/${d}`, '--map', 'net0=eth0,net1=eth1,net2=eth2']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('name: ipmp0');
      expect(r.stdout).toContain('2001:db8::20/64');
      expect(r.stderr).toMatch(/^info NO_TEST_ADDRESS etc\/ipadm\/ipadm\.conf:\d+ /);
    }
  });

  test('fixed: exit 0, no findings', async () => {
    const r = await run(runMigrate, [FIXED, '--map', 'ce0=eth0,ce1=eth1']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  test('-j prints one JSON object with config and findings', async () => {
    const r = await run(runMigrate, [SEED, ...MAP, '-j']);
    const j = JSON.parse(r.stdout);
    expect(j.config.groups[0].interfaces[0]).toMatchObject({ name: 'eth0', standby: false, testAddresses: ['192.0.2.10/24'] });
    expect(j.config.groups[0].dataAddresses).toEqual([{ address: '192.0.2.100/24', interface: 'eth0', deprecated: false, up: true }]);
    expect(j.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'DUPLICATE_DATA_ADDRESS', file: 'etc/hostname.ce1', line: 1 })]);
    expect(r.stderr).toBe('');
  });

  test('-o writes the file; check of it gives the same model (round trip)', async () => {
    const out = join(tmp, 'fixed.yaml');
    const m = await run(runMigrate, [FIXED, ...MAP, '-o', out]);
    expect(m).toMatchObject({ code: 0, stdout: '' });
    const c = await run(runCheck, [out, '-j']);
    expect(c.code).toBe(0);
    const direct = await loadConfig(FIXED, { map: { ce0: 'eth0', ce1: 'eth1' } });
    expect(JSON.parse(c.stdout).config).toEqual(JSON.parse(JSON.stringify(direct.config)));
  });

  test('the etc directory itself works as input', async () => {
    const r = await run(runMigrate, [`${FIXED}/etc`, ...MAP, '-j']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.groups[0].dataAddresses).toHaveLength(2);
  });

  test.each([
    [[], 'missing PATH'],
    [[SEED, 'extra'], "unexpected argument 'extra'"],
    [[SEED, '--bogus'], "Unknown option '--bogus'"],
    [[SEED, '--map', 'ce0'], '--map expects FROM=TO'],
    [[SEED, '-o'], 'argument missing'],
  ])('usage error %j → exit 2', async (argv, msg) => {
    const r = await run(runMigrate, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(msg);
    expect(r.stderr).toContain('Usage: ipmpctl migrate');
  });

  test('unreadable input → exit 2 naming the path', async () => {
    const r = await run(runMigrate, [join(tmp, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error INPUT_UNREADABLE .*nope:0 cannot read .*nope/);
  });

  test('a directory that is not a Solaris tree → exit 2', async () => {
    const d = join(tmp, 'empty');
    mkdirSync(d);
    const r = await run(runMigrate, [d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NOT_A_SOLARIS_TREE');
  });

  // (Permission-denied input cannot be produced as root; the directory case below takes
  //  the same unreadable-input path and runs everywhere.)
  test('a directory where a hostname file should be is named → exit 2', async () => {
    const d = join(tmp, 'dirfile');
    mkdirSync(join(d, 'etc', 'hostname.ce0'), { recursive: true });
    writeFileSync(join(d, 'etc', 'hostname.ce1'), '192.0.2.1 group g up\n');
    const r = await run(runMigrate, [d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INPUT_NOT_REGULAR etc/hostname.ce0:0 etc/hostname.ce0 is a directory');
  });

  test('YAML input is refused by migrate', async () => {
    const f = join(tmp, 'x.yaml');
    writeFileSync(f, 'groups: []\n');
    expect((await run(runMigrate, [f])).code).toBe(2);
  });

  test('an ipadm script given directly', async () => {
    const f = join(tmp, 'net-setup.sh');
    writeFileSync(f, 'ipadm create-ipmp -i net0,net1 ipmp0\nipadm create-addr -T static -a 192.0.2.50/24 ipmp0/v4\n');
    const r = await run(runMigrate, [f, '--map', 'net0=eth0,net1=eth1', '-j']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.groups[0]).toMatchObject({ name: 'ipmp0', dataAddresses: [{ address: '192.0.2.50/24', interface: 'eth0' }] });
  });

  test('cannot write -o target → exit 2', async () => {
    const r = await run(runMigrate, [FIXED, ...MAP, '-o', join(tmp, 'no', 'such', 'dir.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write');
  });
});

describe('ipmpctl check', () => {
  test('YAML with errors: exit 1, positions on stderr, no stack trace', async () => {
    const f = join(tmp, 'bad.yaml');
    writeFileSync(f, 'groups:\n  - name: g\n    interfaces:\n      - name: eth0\n        standby: maybe\n');
    const r = await run(runCheck, [f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error YAML_SCHEMA .*bad\.yaml:5:18 groups\.0\.interfaces\.0\.standby: /);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stdout).toBe('');
  });

  test('valid YAML prints the normalized model', async () => {
    const f = join(tmp, 'ok.yaml');
    writeFileSync(f, 'groups:\n  - name: g\n    interfaces: [{name: eth0, testAddresses: [192.0.2.10/24]}, {name: eth1, testAddresses: [192.0.2.11/24]}]\n');
    const r = await run(runCheck, [f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mode: outbound-spread');
    expect(r.stdout).toContain('failureDetectionTime: 10000');
    expect(r.stderr).toContain('warning NO_ROUTER_IN_TEST_SUBNET');
  });

  test('a Solaris directory', async () => {
    const r = await run(runCheck, [SEED, ...MAP, '-j']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].code).toBe('DUPLICATE_DATA_ADDRESS');
  });

  test('-o is a usage error for check', async () => {
    expect((await run(runCheck, [SEED, '-o', 'x'])).code).toBe(2);
  });

  test('YAML by content without a .yaml extension', async () => {
    const f = join(tmp, 'ipmpd.conf');
    writeFileSync(f, 'groups:\n  - name: g\n    interfaces: [{name: eth0}, {name: eth1}]\n');
    const r = await run(runCheck, [f, '-j']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.groups[0].name).toBe('g');
    expect(readFileSync(f, 'utf8')).toContain('groups');
  });
});
