// Issue 10, items 4 and 5: every input read is bounded (regular files only, 4 MiB), and input
// that is not a configuration is refused. Each reproduction from the issue is one test here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCheck } from '../../../src/cli/ipmpctl-check.js';
import { runMigrate } from '../../../src/cli/ipmpctl-migrate.js';
import { runCli } from '../../helpers/cli-io.js';
import { MAX_INPUT_BYTES, errnoText, readBounded } from '../../../src/config/bounded-read.js';
import { formatFinding } from '../../../src/config/findings.js';
import { loadConfig } from '../../../src/config/load.js';

const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

const codes = (r: { findings: { code: string; file: string }[] }): string[] => r.findings.map((f) => `${f.code}@${f.file}`);
const HOSTNAME = '192.0.2.10/24 group g deprecated -failover up\n';

describe('bounded reads', () => {
  test('ipmpctl migrate /dev/zero is refused unread: INPUT_NOT_REGULAR, exit 2', async () => {
    const r = await run(runMigrate, ['/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error INPUT_NOT_REGULAR /dev/zero:0 /dev/zero is a device, expected a regular file');
  });

  test('ipmpd --config /dev/zero (the loader the daemon uses) is refused unread', async () => {
    const r = await loadConfig('/dev/zero');
    expect(r.config).toBeNull();
    expect(codes(r)).toEqual(['INPUT_NOT_REGULAR@/dev/zero']);
  });

  test('a FIFO named hostname.ce7 in a Solaris tree does not hang migrate', async () => {
    const etc = join(tmp, 'fifo-tree', 'etc');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'hostname.ce0'), HOSTNAME);
    execFileSync('mkfifo', [join(etc, 'hostname.ce7')]);
    const r = await run(runMigrate, [join(tmp, 'fifo-tree')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error INPUT_NOT_REGULAR etc/hostname.ce7:0 etc/hostname.ce7 is a FIFO');
  });

  test('netmasks → /dev/zero is refused, naming etc/inet/netmasks', async () => {
    const etc = join(tmp, 'zero-netmasks', 'etc');
    mkdirSync(join(etc, 'inet'), { recursive: true });
    writeFileSync(join(etc, 'hostname.ce0'), HOSTNAME);
    symlinkSync('/dev/zero', join(etc, 'inet', 'netmasks'));
    const r = await loadConfig(join(tmp, 'zero-netmasks'));
    expect(codes(r)).toContain('INPUT_NOT_REGULAR@etc/inet/netmasks');
  });

  test('a sparse 13 GB file is refused after reading at most cap + 1 bytes', async () => {
    const f = join(tmp, 'huge.yaml');
    writeFileSync(f, '');
    truncateSync(f, 13 * 1024 ** 3);
    const r = await loadConfig(f);
    expect(codes(r)).toEqual([`INPUT_TOO_LARGE@${f}`]);
  });

  test('one byte over the cap is too large, at the cap is read', async () => {
    const f = join(tmp, 'cap.txt');
    writeFileSync(f, Buffer.alloc(MAX_INPUT_BYTES + 1, 0x23));
    expect(await readBounded(f)).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    writeFileSync(f, Buffer.alloc(MAX_INPUT_BYTES, 0x23));
    const r = await readBounded(f);
    expect(r.ok && r.text.length).toBe(MAX_INPUT_BYTES);
  });

  test('a symlink loop is reported once, without a doubled "ELOOP: ELOOP:"', async () => {
    const etc = join(tmp, 'loop', 'etc');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'hostname.ce0'), HOSTNAME);
    symlinkSync('hostname.ce1', join(etc, 'hostname.ce1'));
    const r = await loadConfig(join(tmp, 'loop'));
    const f = r.findings.find((x) => x.file === 'etc/hostname.ce1');
    expect(f?.message).toMatch(/^cannot read etc\/hostname\.ce1: ELOOP: /);
    expect(f?.message).not.toContain('ELOOP: ELOOP');
    expect(errnoText(Object.assign(new Error('boom'), { code: 'EIO' }))).toBe('EIO: boom');
  });
});

describe('input that is not a configuration', () => {
  test('an empty file not named .yaml: NOT_A_CONFIGURATION, check exits 2 with no model', async () => {
    const f = join(tmp, 'empty.conf');
    writeFileSync(f, '');
    const r = await run(runCheck, [f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error NOT_A_CONFIGURATION .*empty\.conf:0 /);
  });

  test('1 MB of random bytes not named .yaml: NOT_A_CONFIGURATION', async () => {
    const f = join(tmp, 'random.bin');
    // Deterministic noise without "ipadm" at a line start.
    const b = Buffer.alloc(1 << 20);
    let x = 12345;
    for (let i = 0; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
    writeFileSync(f, b);
    const r = await run(runCheck, [f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NOT_A_CONFIGURATION');
  });

  test('an empty .yaml is NO_GROUPS, an error: check exits 1 and the daemon would refuse it', async () => {
    const f = join(tmp, 'empty.yaml');
    writeFileSync(f, '# nothing yet\n');
    const r = await run(runCheck, [f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error NO_GROUPS .*empty\.yaml:1:1 /);
  });

  test.each([
    ['0.0.0.0/0', '"this network"'],
    ['127.0.0.1/8', 'loopback'],
    ['224.0.0.1/4', 'multicast'],
    ['255.255.255.255/32', 'limited broadcast'],
    ['192.0.2.255/24', 'broadcast address of its /24'],
    ['169.254.1.1/16', 'link-local'],
    ['::1/128', 'loopback'],
    ['ff02::1/64', 'multicast'],
  ])('data address %s is a SPECIAL_ADDRESS error at its line', async (addr, why) => {
    const f = join(tmp, 'special.yaml');
    writeFileSync(f, `groups:\n  - name: g\n    interfaces: [{name: eth0}, {name: eth1}]\n    dataAddresses:\n      - {address: "${addr}", interface: eth0}\n`);
    const r = await loadConfig(f);
    const hit = r.findings.filter((x) => x.code === 'SPECIAL_ADDRESS').map(formatFinding);
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatch(new RegExp(`^error SPECIAL_ADDRESS .*special\\.yaml:5:\\d+ data address ${addr.replace(/[.*+?]/g, '\\$&')} .*${why}`));
  });

  test('ordinary documentation addresses and an IPv4 link-local test address are not special', async () => {
    const f = join(tmp, 'fine.yaml');
    writeFileSync(f, 'groups:\n  - name: g\n    interfaces:\n      - {name: eth0, testAddresses: [169.254.0.10/16]}\n      - {name: eth1}\n'
      + '    dataAddresses:\n      - {address: 192.0.2.100/24, interface: eth0}\n      - {address: "2001:db8::1/64", interface: eth0}\n      - {address: 198.51.100.1/31, interface: eth1}\n');
    const r = await loadConfig(f);
    expect(r.findings.filter((x) => x.code === 'SPECIAL_ADDRESS')).toEqual([]);
  });
});
