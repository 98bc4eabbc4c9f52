// Native YAML: the documented examples parse cleanly, errors point at file:line:column with
// the field path, defaults are Solaris defaults, and toYaml/parseYamlConfig round-trip.
import { readFileSync } from 'node:fs';
import { formatFinding } from '../../../src/config/findings.js';
import { describe, expect, test } from 'vitest';
import { parseYamlConfig, toYaml } from '../../../src/config/yaml-config.js';
import { DEFAULT_ANNOUNCE } from '../../../src/config/model.js';
import { HOSTS, NETMASKS, solaris } from './solaris-helpers.js';

const docBlocks = [...readFileSync('docs/configuration.md', 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('documented examples', () => {
  test('there is one example per placement mode', () => {
    const modes = docBlocks.map((b) => parseYamlConfig(b, 'doc.yaml').config?.groups[0]?.mode);
    expect(modes.sort()).toEqual(['active-standby', 'outbound-spread']);
  });

  test.each(docBlocks.map((b, i) => [i, b]))('example %i has no warnings or errors', (_i, text) => {
    const r = parseYamlConfig(text, 'doc.yaml');
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.config).not.toBeNull();
  });
});

describe('defaults', () => {
  test('a minimal file gets Solaris defaults', () => {
    const r = parseYamlConfig('groups:\n  - name: g\n    interfaces:\n      - name: eth0\n      - name: eth1\n', 'm.yaml');
    expect(r.config).toEqual({
      mpathd: { failureDetectionTime: 10000, failback: true, trackInterfacesOnlyWithGroups: true },
      defaultRouters: [],
      groups: [{
        name: 'g', mode: 'outbound-spread', probe: 'icmp', announce: DEFAULT_ANNOUNCE, dataAddresses: [],
        interfaces: [{ name: 'eth0', standby: false, testAddresses: [] }, { name: 'eth1', standby: false, testAddresses: [] }],
      }],
    });
    expect(r.findings.map((f) => f.code)).toEqual(['NO_TEST_ADDRESS', 'NO_TEST_ADDRESS']);
  });

  test('addresses are normalized and daemon options kept', () => {
    const r = parseYamlConfig([
      'defaultRouters: [2001:DB8::1]', 'daemon:', '  quietPeriodMs: 1000', 'groups:', '  - name: g', '    interfaces:',
      '      - {name: eth0, testAddresses: ["FE80::0001/64"]}', '      - {name: eth1, ipv6LinkLocalTest: true}',
      '    dataAddresses:', '      - {address: "2001:DB8:0::10/64", interface: eth0}', '',
    ].join('\n'), 'n.yaml');
    expect(r.config?.defaultRouters).toEqual(['2001:db8::1']);
    expect(r.config?.daemon).toEqual({ quietPeriodMs: 1000 });
    expect(r.config?.groups[0]!.interfaces[0]!.testAddresses).toEqual(['fe80::1/64']);
    expect(r.config?.groups[0]!.dataAddresses[0]!.address).toBe('2001:db8::10/64');
  });
});

describe('errors with positions', () => {
  const at = (text: string) => parseYamlConfig(text, 'site.yaml').findings.filter((f) => f.severity === 'error').map((f) => `${f.code} ${f.file}:${f.line}:${f.column} ${f.message}`);

  test('bad address: line, column and path', () => {
    expect(at('groups:\n  - name: g\n    interfaces:\n      - name: eth0\n        testAddresses: [192.0.2.10]\n')).toEqual([
      'YAML_SCHEMA site.yaml:5:25 groups.0.interfaces.0.testAddresses.0: expected "address/prefix", e.g. 192.0.2.10/24 or fe80::10/64',
    ]);
  });

  test('unknown key points at the key', () => {
    expect(at('mpathd:\n  failureDetectionTim: 100\n')).toEqual(['YAML_SCHEMA site.yaml:2:3 mpathd.failureDetectionTim: unknown key "failureDetectionTim"']);
  });

  test('missing required field', () => {
    expect(at('groups:\n  - interfaces: [{name: eth0}]\n')).toEqual(['YAML_SCHEMA site.yaml:2:5 groups.0.name: is required']);
  });

  test('FDT below the floor and wrong types', () => {
    const e = at('mpathd:\n  failureDetectionTime: 10\n  failback: "yes"\n');
    expect(e[0]).toMatch(/^YAML_SCHEMA site.yaml:2:25 mpathd.failureDetectionTime: /);
    expect(e[1]).toMatch(/^YAML_SCHEMA site.yaml:3:13 mpathd.failback: /);
  });

  test('syntax error', () => {
    expect(at('groups: [\n')[0]).toMatch(/^YAML_SYNTAX site.yaml:\d+:\d+ /);
  });

  test('duplicate keys are syntax errors', () => {
    expect(at('mpathd: {}\nmpathd: {}\n')[0]).toMatch(/^YAML_SYNTAX site.yaml:2:1 /);
  });

  test('mode contradicting the members', () => {
    expect(at('groups:\n  - name: g\n    mode: active-standby\n    interfaces: [{name: a}, {name: b}]\n')).toEqual([
      'MODE_INCONSISTENT site.yaml:3:11 groups.0.mode: "active-standby" contradicts the members: no member is standby, so the group is outbound-spread',
    ]);
  });

  test('interface in two groups, duplicate group, home not a member, long name', () => {
    const codes = parseYamlConfig([
      'groups:', '  - name: g', '    interfaces: [{name: eth0}, {name: eth1}]',
      '    dataAddresses: [{address: 192.0.2.5/24, interface: eth9}]',
      '  - name: g', '    interfaces: [{name: eth0}, {name: eth2}]',
      '  - name: a-group-name-that-is-far-too-long-for-solaris', '    interfaces: [{name: eth3}, {name: eth3}]', '',
    ].join('\n'), 'x.yaml').findings.filter((f) => f.severity === 'error').map((f) => `${f.code}@${f.line}`);
    expect(codes).toEqual(['DATA_HOME_NOT_MEMBER@4', 'DUPLICATE_GROUP@5', 'GROUP_NAME_TOO_LONG@7', 'DUPLICATE_INTERFACE@8']);
    expect(parseYamlConfig('groups:\n  - name: g\n    interfaces: [{name: eth0}, {name: eth1}]\n  - name: h\n    interfaces: [{name: eth0}, {name: eth2}]\n', 'y.yaml')
      .findings.map((f) => `${f.code}@${f.line}`)).toContain('INTERFACE_IN_TWO_GROUPS@5');
  });

  test('empty document is an error (NO_GROUPS); a scalar document is a schema error', () => {
    expect(parseYamlConfig('', 'e.yaml').findings.map(formatFinding)).toEqual(['error NO_GROUPS e.yaml:1:1 the configuration defines no IPMP group; there is nothing to manage']);
    expect(at('42\n')[0]).toMatch(/^YAML_SCHEMA site.yaml:1:1 \(document\): /);
  });
});

describe('round trip', () => {
  test('Solaris model → toYaml → parseYamlConfig gives the same model', () => {
    const r = solaris({
      'inet/hosts': HOSTS, 'inet/netmasks': NETMASKS, defaultrouter: '192.0.2.1\n',
      'hostname.ce0': 'host-a netmask + broadcast + group g deprecated -failover up addif service netmask + broadcast + up\n',
      'hostname.ce1': 'host-b netmask + broadcast + group g deprecated -failover standby up\n',
      'hostname6.ce0': '-failover\naddif 2001:db8::100/64 deprecated up\n', 'hostname6.ce1': '-failover\n',
      'default/mpathd': 'FAILURE_DETECTION_TIME=2000\nFAILBACK=no\n',
    }, { ce0: 'eth0', ce1: 'eth1' });
    const text = toYaml(r.config!, { header: 'test' });
    expect(text.startsWith('# test\n')).toBe(true);
    const back = parseYamlConfig(text, 'rt.yaml');
    expect(back.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(back.config).toEqual(r.config);
  });

  test('non-default announce and daemon survive', () => {
    const src = 'daemon: {cleanupOnExit: false}\ngroups:\n  - name: g\n    announce: {naCount: 1}\n    probe: both\n    interfaces: [{name: a}, {name: b, standby: true}]\n';
    const a = parseYamlConfig(src, 'a.yaml').config!;
    expect(parseYamlConfig(toYaml(a), 'b.yaml').config).toEqual(a);
  });
});
