// fast-check fuzzing of every parser: random input never throws, and every finding carries
// a known code, its catalogue severity, a file and a non-negative integer line.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hasErrors, loadConfig } from '../../../src/config/load.js';
import { parseDefaultRouter } from '../../../src/config/defaultrouter.js';
import { FINDING_CODES, FindingSink } from '../../../src/config/findings.js';
import { HostsDb, parseHostsFile } from '../../../src/config/hosts-db.js';
import type { Finding } from '../../../src/config/model.js';
import { parseMpathdDefaults } from '../../../src/config/mpathd-defaults.js';
import { parseNetmasksFile } from '../../../src/config/netmasks-db.js';
import { splitShellCommands } from '../../../src/config/shell-commands.js';
import { shellReadLines } from '../../../src/config/shell-read.js';
import { parseYamlConfig, toYaml } from '../../../src/config/yaml-config.js';
import { HOSTS, NETMASKS, solaris } from './solaris-helpers.js';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 300) };

function wellFormed(findings: Finding[]): void {
  for (const f of findings) {
    expect(Object.keys(FINDING_CODES)).toContain(f.code);
    expect(f.severity).toBe(FINDING_CODES[f.code as keyof typeof FINDING_CODES]);
    expect(typeof f.file).toBe('string');
    expect(f.file.length).toBeGreaterThan(0);
    expect(Number.isInteger(f.line) && f.line >= 0).toBe(true);
    expect(typeof f.message).toBe('string');
  }
}

const words = [
  'up', 'down', 'plumb', 'unplumb', 'addif', 'removeif', 'set', 'destination', 'netmask', 'broadcast', 'group', 'failover',
  '-failover', 'standby', '-standby', 'deprecated', '-deprecated', 'preferred', 'metric', 'mtu', 'ether', 'token', 'arp',
  '-arp', 'xmit', '-xmit', 'usesrc', 'zone', 'all-zones', 'auto-revarp', 'dhcp', 'ipmp', 'inet', 'inet6', '+', '""', '#',
  '# comment', 'host-a', 'host-b', 'service', 'nosuchhost', '192.0.2.10', '192.0.2.77/24', '10.0.0.1/33', '0.0.0.0',
  '255.255.255.0', '0xffffff00', '2001:db8::1', 'fe80::1/64', '2001:db8::5/129', 'g', 'grp-with-a-name-longer-than-31-chars',
  '\\', '\\\n', '\n', '\n\n', '\r\n', '  ', '\t', 'x\\y',
];
const hostnameText = fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 })), { maxLength: 30 }).map((w) => w.join(' '));

describe('fuzz', () => {
  test('shellReadLines and splitShellCommands accept any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => {
      const recs = shellReadLines(t);
      for (const r of recs) expect(r.line).toBeGreaterThanOrEqual(1);
      for (const c of splitShellCommands(t)) expect(c.line).toBeGreaterThanOrEqual(1);
    }), RUNS);
  });

  test('hosts, netmasks, defaultrouter, mpathd parsers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
      const sink = new FindingSink();
      const db = new HostsDb();
      parseHostsFile(a, 'etc/inet/hosts', db, sink);
      const nm = parseNetmasksFile(b, 'etc/inet/netmasks', sink);
      nm.lookup(0xc0000201);
      parseDefaultRouter(a, 'etc/defaultrouter', db, sink);
      const m = parseMpathdDefaults(b, 'etc/default/mpathd', sink);
      expect(m.settings.failureDetectionTime).toBeGreaterThanOrEqual(100);
      wellFormed(sink.list);
    }), RUNS);
  });

  test('whole Solaris trees of random hostname files', () => {
    const names = fc.constantFrom('hostname.ce0', 'hostname.ce1', 'hostname6.ce0', 'hostname6.ce1', 'hostname.ce0:1', 'hostname.ipmp0', 'hostname.bge0.bak');
    fc.assert(fc.property(fc.dictionary(names, hostnameText, { maxKeys: 5 }), fc.string({ maxLength: 80 }), (files, mpathd) => {
      const r = solaris({ ...files, 'inet/hosts': HOSTS, 'inet/netmasks': NETMASKS, 'default/mpathd': mpathd }, { ce0: 'eth0' });
      wellFormed(r.findings);
      if (r.config) expect(parseYamlConfig(toYaml(r.config), 'rt.yaml').config).toEqual(r.config);
    }), RUNS);
  });

  test('ipadm scripts', () => {
    const ipadmWords = ['ipadm', 'create-ipmp', 'add-ipmp', 'remove-ipmp', 'delete-ipmp', 'create-ip', 'delete-ip', 'create-addr', 'delete-addr',
      'set-ifprop', 'set-addrprop', 'up-addr', '-T', 'static', 'dhcp', 'addrconf', '-a', '-i', '-p', 'standby=on', 'deprecated=on', 'net0', 'net1',
      'ipmp0', 'ipmp0/v4', 'net0/test', '192.0.2.5/24', 'host-a', '2001:db8::9', '-d', '-t', '--address=192.0.2.6', ';', '\n', '"', "'", '$X', '#'];
    const script = fc.array(fc.constantFrom(...ipadmWords), { maxLength: 40 }).map((w) => w.join(' '));
    fc.assert(fc.property(script, (t) => {
      const r = solaris({ 'ipadm-net.sh': t, 'inet/hosts': HOSTS });
      wellFormed(r.findings);
    }), RUNS);
  });

  test('YAML: random text and random structures', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => { wellFormed(parseYamlConfig(t, 'f.yaml').findings); }), RUNS);
    const key = fc.constantFrom('mpathd', 'groups', 'name', 'interfaces', 'dataAddresses', 'testAddresses', 'address', 'interface', 'standby', 'mode', 'daemon', 'defaultRouters', 'failureDetectionTime');
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })), (a, b) => {
      for (const v of [a, b]) {
        const r = parseYamlConfig(JSON.stringify(v), 'j.yaml');
        wellFormed(r.findings);
        for (const f of r.findings) expect(f.line).toBeGreaterThanOrEqual(1);
      }
    }), RUNS);
  });
});

describe('fuzz: loadConfig on arbitrary bytes from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipmpd-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.string({ maxLength: 400 }).map((s) => new TextEncoder().encode(s)),
    hostnameText.map((s) => new TextEncoder().encode(`groups:\n${s}`)),
  );

  test('a single file of any name and content gives findings or a model, never a throw', async () => {
    const names = fc.constantFrom('c.yaml', 'c.conf', 'ipadm-net.sh', 'noext', 'c.json');
    let i = 0;
    await fc.assert(fc.asyncProperty(names, bytes, async (name, b) => {
      const p = join(dir, `${i++}-${name}`);
      writeFileSync(p, b);
      const r = await loadConfig(p);
      wellFormed(r.findings);
      expect(r.config !== null || hasErrors(r.findings)).toBe(true);
    }), { numRuns: Math.min(RUNS.numRuns, 150) });
  });

  test('a Solaris tree of arbitrary bytes', async () => {
    const names = fc.constantFrom('hostname.ce0', 'hostname6.ce1', 'inet/hosts', 'inet/netmasks', 'default/mpathd', 'defaultrouter');
    let i = 0;
    await fc.assert(fc.asyncProperty(fc.dictionary(names, bytes, { maxKeys: 4 }), async (files) => {
      const root = join(dir, `tree-${i++}`);
      mkdirSync(join(root, 'etc', 'inet'), { recursive: true });
      mkdirSync(join(root, 'etc', 'default'), { recursive: true });
      for (const [n, b] of Object.entries(files)) writeFileSync(join(root, 'etc', n), b);
      wellFormed((await loadConfig(root)).findings);
    }), { numRuns: Math.min(RUNS.numRuns, 100) });
  });
});
