// One test per finding code, each from a real-shaped configuration: the finding appears
// with its fixed severity at the file and line that cause it, and clean configs stay clean.
import { describe, expect, test } from 'vitest';
import { FINDING_CODES, formatFinding, hasErrors, sortFindings } from '../../../src/config/findings.js';
import { HOSTS, NETMASKS, solaris } from './solaris-helpers.js';

const db = { 'inet/hosts': HOSTS + '198.51.100.11 other-b\n', 'inet/netmasks': NETMASKS + '198.51.100.0 255.255.255.0\n', defaultrouter: '192.0.2.1\n' };
const member = (name: string, extra = '') => `${name} netmask + broadcast + group g deprecated -failover ${extra}up\n`;
const ok = { 'hostname.ce0': member('host-a') + '', 'hostname.ce1': member('host-b') };
const map = { ce0: 'eth0', ce1: 'eth1' };

interface Case {
  code: keyof typeof FINDING_CODES;
  files: Record<string, string>;
  at: [string, number];
  map?: Record<string, string>;
  contains?: string;
}

const conf = '_ifname=ce0;_families=2;_gifname=g;\n_ifname=ce1;_families=2;_gifname=g;\n_ifname=g;_families=2;_ifclass=1;_mifnames=ce1,ce0;\n';
const cases: Case[] = [
  { code: 'IPADM_CONF_BAD_LINE', files: { 'ipadm/ipadm.conf': conf + '_ifname=ce0;_family=2;_family=26;\n' }, at: ['etc/ipadm/ipadm.conf', 4], contains: 'appears twice' },
  { code: 'DATALINK_UNKNOWN', files: { 'ipadm/ipadm.conf': conf, 'dladm/datalink.conf': 'ce0\tclass=int,1;\n' }, at: ['etc/ipadm/ipadm.conf', 2], contains: 'ce1 is not a link' },
  { code: 'DATALINK_BAD_LINE', files: { 'ipadm/ipadm.conf': conf, 'dladm/datalink.conf': 'ce0\tclass=int,1;\nce1\n' }, at: ['etc/dladm/datalink.conf', 2] },
  { code: 'DUPLICATE_DATA_ADDRESS', files: { 'hostname.ce0': 'host-a netmask + broadcast + group g deprecated -failover up \\\n addif service netmask + broadcast + failover up\n', 'hostname.ce1': 'host-b netmask + broadcast + group g deprecated -failover up \\\n addif service netmask + broadcast + failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'UNRESOLVED_NAME', files: { ...ok, 'hostname.ce1': 'host-b netmask + broadcast + group g deprecated -failover up addif web-vip up\n' }, at: ['etc/hostname.ce1', 1], contains: 'bad address' },
  { code: 'FDT_LOOKS_LIKE_SECONDS', files: { ...ok, 'default/mpathd': '# in seconds, says the doc\nFAILURE_DETECTION_TIME=10\n' }, at: ['etc/default/mpathd', 2] },
  { code: 'FDT_CLAMPED', files: { ...ok, 'default/mpathd': 'FAILURE_DETECTION_TIME=50\n' }, at: ['etc/default/mpathd', 1], contains: '100 ms' },
  { code: 'INVALID_MPATHD_VALUE', files: { ...ok, 'default/mpathd': 'FAILURE_DETECTION_TIME=10000\nFAILBACK=true\n' }, at: ['etc/default/mpathd', 2], contains: 'neither yes nor no' },
  { code: 'STANDBY_HAS_DATA', files: { ...ok, 'hostname.ce1': 'host-b netmask + broadcast + group g deprecated -failover standby up addif service2 netmask + broadcast + up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'TEST_ADDRESS_NOT_UNIQUE', files: { 'hostname.ce0': member('host-a'), 'hostname.ce1': member('host-a') }, at: ['etc/hostname.ce1', 1] },
  { code: 'TEST_SUBNET_MISMATCH', files: { 'hostname.ce0': member('host-a'), 'hostname.ce1': member('other-a') }, at: ['etc/hostname.ce1', 1] },
  { code: 'TEST_ADDRESS_NOT_DEPRECATED', files: { ...ok, 'hostname.ce1': 'host-b netmask + broadcast + group g -failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'IPV6_TEST_NOT_LINK_LOCAL', files: { ...ok, 'hostname6.ce0': 'addif 2001:db8::10/64 -failover up\n', 'hostname6.ce1': '-failover\n' }, at: ['etc/hostname6.ce0', 1] },
  { code: 'SINGLE_INTERFACE_GROUP', files: { 'hostname.ce0': member('host-a') }, at: ['etc/hostname.ce0', 1] },
  { code: 'NO_TEST_ADDRESS', files: { ...ok, 'hostname.ce1': 'group g up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'GROUP_MISMATCH', files: { ...ok, 'hostname.ce2': 'other-a netmask + broadcast + deprecated -failover up\n' }, at: ['etc/hostname.ce2', 1], contains: 'no IPMP group' },
  { code: 'GROUP_MISMATCH', files: { ...ok, 'hostname.ce2': 'host-b/24 group g2 deprecated -failover up\n'.replace('host-b', '192.0.2.12'), 'hostname.ce3': '192.0.2.13/24 group g2 deprecated -failover up\n' }, at: ['etc/hostname.ce2', 1], contains: 'one IPMP group per subnet' },
  { code: 'COMMENT_IN_HOSTNAME_FILE', files: { ...ok, 'hostname.ce1': '# test address of ce1\n' + member('host-b') }, at: ['etc/hostname.ce1', 1] },
  { code: 'TRAILING_BLANK_LINE', files: { ...ok, 'hostname.ce1': member('host-b') + '\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'FAMILY_NOT_PLUMBED_ON_ALL_MEMBERS', files: { ...ok, 'hostname6.ce0': '-failover\n' }, at: ['etc/hostname.ce1', 0], contains: 'IPv6' },
  { code: 'UNMAPPED_INTERFACE', files: ok, map: { ce0: 'eth0' }, at: ['etc/hostname.ce1', 1] },
  { code: 'MAP_UNUSED', files: ok, map: { ...map, qfe0: 'eth9' }, at: ['etc', 0] },
  { code: 'MAP_CONFLICT', files: ok, map: { ce0: 'eth0', ce1: 'eth0' }, at: ['etc/hostname.ce1', 1] },
  { code: 'INVALID_LINUX_NAME', files: ok, map: { ce0: 'eth0', ce1: 'a-very-long-interface-name' }, at: ['etc/hostname.ce1', 1] },
  { code: 'ADDRESS_CONFLICT', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif host-a up\n'.replace('\n', ' netmask +\n') }, at: ['etc/hostname.ce1', 2] },
  { code: 'NO_ROUTER_IN_TEST_SUBNET', files: { ...ok, defaultrouter: '198.51.100.1\n' }, at: ['etc/hostname.ce0', 1] },
  { code: 'DATA_OUTSIDE_TEST_SUBNETS', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif other-b netmask + up\n' }, at: ['etc/hostname.ce1', 2] },
  { code: 'PREFIX_MISMATCH', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif 192.0.2.200/25 up\n' }, at: ['etc/hostname.ce1', 2] },
  { code: 'STANDBY_ORDER', files: { ...ok, 'hostname.ce1': 'host-b netmask + broadcast + group g deprecated standby -failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'POINT_TO_POINT', files: { ...ok, 'hostname.ce1': 'host-b other-b group g deprecated -failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'NOT_IPMP_COMPATIBLE', files: { ...ok, 'hostname.ce1': 'host-b group g deprecated -failover usesrc vni0 up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'GROUP_NAME_TOO_LONG', files: { ...ok, 'hostname.ce1': 'host-b group application-server-production-ipmp up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'EMPTY_GROUP', files: { ...ok, 'hostname.ipmp1': 'ipmp group lonely service up\n' }, at: ['etc/hostname.ipmp1', 0] },
  { code: 'ALL_STANDBY', files: { 'hostname.ce0': member('host-a', 'standby '), 'hostname.ce1': member('host-b', 'standby ') }, at: ['etc/hostname.ce0', 1] },
  { code: 'AMBIGUOUS_HOST_NAME', files: { ...ok, 'inet/hosts': HOSTS + '192.0.2.99 host-b\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'DEFAULTROUTER_IGNORED', files: { ...ok, defaultrouter: '192.0.2.1 metric 2\n' }, at: ['etc/defaultrouter', 1] },
  { code: 'DUPLICATE_MPATHD_KEY', files: { ...ok, 'default/mpathd': 'FAILBACK=no\nfailback=yes\n' }, at: ['etc/default/mpathd', 2] },
  { code: 'UNKNOWN_MPATHD_KEY', files: { ...ok, 'default/mpathd': 'PROBE_INTERVAL=1000\n' }, at: ['etc/default/mpathd', 1] },
  { code: 'NETMASKS_BAD_LINE', files: { ...ok, 'inet/netmasks': NETMASKS + '10.0.0.0 255.0.255.0\n' }, at: ['etc/inet/netmasks', 2] },
  { code: 'HOSTS_BAD_LINE', files: { ...ok, 'inet/hosts': HOSTS + 'www.example.com\n' }, at: ['etc/inet/hosts', 7] },
  { code: 'TOKEN_IGNORED', files: { ...ok, 'hostname.ce1': 'host-b group g deprecated -failover mtu 9000 up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'MISSING_ARGUMENT', files: { ...ok, 'hostname.ce1': member('host-b') + 'group\n' }, at: ['etc/hostname.ce1', 2] },
  { code: 'INVALID_PREFIX', files: { ...ok, 'hostname.ce1': 'host-b/33 group g deprecated -failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'ADDRESS_NOT_UP', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif service2 netmask +\n' }, at: ['etc/hostname.ce1', 2], contains: 'multi-line' },
  { code: 'INVALID_NETMASK', files: { ...ok, 'hostname.ce1': 'host-b netmask 255.0.255.0 group g deprecated -failover up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'REMOVEIF_NOT_FOUND', files: { ...ok, 'hostname.ce1': member('host-b') + 'removeif service\n' }, at: ['etc/hostname.ce1', 2] },
  { code: 'NOT_IN_GROUP', files: { ...ok, 'hostname.ce2': 'other-a netmask + broadcast + up\n' }, at: ['etc/hostname.ce2', 0] },
  { code: 'TEST_ADDRESS_UNUSABLE', files: { ...ok, 'hostname.ce1': 'host-b group g deprecated -failover -xmit up\n' }, at: ['etc/hostname.ce1', 1] },
  { code: 'GROUP_IN_LOGICAL_FILE', files: { ...ok, 'hostname.ce2:1': 'other-a group g up\n' }, at: ['etc/hostname.ce2:1', 1] },
  { code: 'UNPLUMB_IN_FILE', files: { ...ok, 'hostname.ce2': 'other-a up\nunplumb\n' }, at: ['etc/hostname.ce2', 2] },
  { code: 'DYNAMIC_ADDRESS', files: { ...ok, 'hostname.ce2': 'dhcp start\n' }, at: ['etc/hostname.ce2', 1] },
  { code: 'LITERAL_QUOTES', files: { ...ok, 'hostname.ce2': 'other-a group "" up\n' }, at: ['etc/hostname.ce2', 1] },
  { code: 'ADDIF_ON_LOGICAL', files: { ...ok, 'hostname.ce1:1': 'service addif service2 up\n' }, at: ['etc/hostname.ce1:1', 1] },
  { code: 'NO_FINAL_NEWLINE', files: { ...ok, 'hostname.ce1': member('host-b').trimEnd() }, at: ['etc/hostname.ce1', 1] },
  { code: 'TOKEN_WRONG_FAMILY', files: { ...ok, 'hostname6.ce0': '-failover broadcast + up\n', 'hostname6.ce1': '-failover\n' }, at: ['etc/hostname6.ce0', 1] },
  { code: 'NETMASK_CLASSFUL', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif 10.20.30.40 up\n' }, at: ['etc/hostname.ce1', 2] },
  { code: 'GROUP_OVERRIDDEN', files: { ...ok, 'hostname6.ce1': 'group other\n' }, at: ['etc/hostname6.ce1', 1] },
  { code: 'DATA_HOME_ASSIGNED', files: { ...ok, 'hostname.ipmp0': 'ipmp group g service up\n' }, at: ['etc/hostname.ipmp0', 1] },
  { code: 'FILE_IGNORED', files: { ...ok, 'hostname.ce1.orig': member('host-b') }, at: ['etc/hostname.ce1.orig', 0] },
  { code: 'IPADM_UNSUPPORTED', files: { 'ipadm-net.sh': 'ipadm create-ipmp ipmp0\nipadm add-ipmp -i net0 -i net1 ipmp0\nipadm set-prop -p hostmodel=strong ipv4\n' }, at: ['ipadm-net.sh', 3] },
  { code: 'IPADM_SYNTAX', files: { 'ipadm-net.sh': 'ipadm create-ipmp ipmp0\nipadm add-ipmp ipmp0\n' }, at: ['ipadm-net.sh', 2] },
  { code: 'IPADM_UNKNOWN_OBJECT', files: { 'ipadm-net.sh': 'ipadm create-ipmp ipmp0\nipadm add-ipmp -i net0,net1 ipmp0\nipadm delete-addr net0/v4test\n' }, at: ['ipadm-net.sh', 3] },
  { code: 'SHELL_VARIABLE', files: { 'ipadm-net.sh': 'G=ipmp0\nipadm create-ipmp $G\n' }, at: ['ipadm-net.sh', 2] },
  { code: 'TRANSITIVE_PROBING', files: { 'ipadm-net.sh': 'ipadm create-ipmp -i net0,net1 ipmp0\nsvccfg -s svc:/network/ipmp setprop config/transitive-probing=true\n' }, at: ['ipadm-net.sh', 2] },
  { code: 'SPECIAL_ADDRESS', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif 127.0.0.1/8 up\n' }, at: ['etc/hostname.ce1', 2], contains: 'loopback' },
  { code: 'SPECIAL_ADDRESS', files: { ...ok, 'hostname.ce1': member('host-b') + 'addif 169.254.10.10/16 up\n' }, at: ['etc/hostname.ce1', 2], contains: 'link-local' },
  { code: 'NO_GROUPS', files: { 'hostname.ce0': 'host-a netmask + up\n' }, at: ['etc/hostname.ce0', 0] },
  { code: 'NOT_A_SOLARIS_TREE', files: { 'inet/hosts': HOSTS }, at: ['etc', 0] },
];

describe('each finding code', () => {
  test.each(cases.map((c) => [`${c.code} ${c.contains ?? ''}`.trim(), c] as const))('%s', (_n, c) => {
    const r = solaris({ ...db, ...c.files }, c.map ?? map);
    const hits = r.findings.filter((f) => f.code === c.code);
    expect(hits.map((f) => `${f.file}:${f.line}`), JSON.stringify(r.findings, null, 1)).toContain(`${c.at[0]}:${c.at[1]}`);
    const hit = hits.find((f) => f.file === c.at[0] && f.line === c.at[1])!;
    expect(hit.severity).toBe(FINDING_CODES[c.code]);
    if (c.contains) expect(hits.some((f) => f.message.includes(c.contains!))).toBe(true);
  });

  test('the healthy base configuration has no findings', () => {
    expect(solaris({ ...db, ...ok }, map).findings).toEqual([]);
  });

  test('every catalogue code that Solaris input can produce is exercised above', () => {
    // Whole-file refusals are exercised in input-hardening.test.ts.
    const yamlOnly = new Set(['INPUT_UNREADABLE', 'INPUT_NOT_REGULAR', 'INPUT_TOO_LARGE', 'NOT_A_CONFIGURATION', 'YAML_SYNTAX', 'YAML_SCHEMA', 'MODE_INCONSISTENT', 'DUPLICATE_GROUP', 'DUPLICATE_INTERFACE', 'INTERFACE_IN_TWO_GROUPS', 'DATA_HOME_NOT_MEMBER', 'ANONYMOUS_NOT_TRACKED']);
    const tested = new Set(cases.map((c) => c.code));
    const missing = Object.keys(FINDING_CODES).filter((c) => !tested.has(c as Case['code']) && !yamlOnly.has(c));
    expect(missing).toEqual([]);
  });
});

describe('test-address findings on Solaris idioms', () => {
  test('one-NIC group whose test address is its only address: no TEST_ADDRESS_NOT_DEPRECATED', () => {
    const r = solaris({ ...db, 'hostname.hme0': 'host-a netmask + broadcast + group v4test -failover up\n' }, { hme0: 'eth0' });
    expect(r.findings.map((f) => f.code)).not.toContain('TEST_ADDRESS_NOT_DEPRECATED');
    expect(r.config?.groups[0]?.interfaces[0]?.testAddresses).toEqual(['192.0.2.10/24']);
  });

  test('one NIC with a data address too: the test address must still be deprecated', () => {
    const r = solaris({ ...db, 'hostname.hme0': 'host-a netmask + broadcast + group v4test -failover up addif service netmask + broadcast + up\n' }, { hme0: 'eth0' });
    expect(r.findings.map((f) => f.code)).toContain('TEST_ADDRESS_NOT_DEPRECATED');
  });

  test('NO_ROUTER_IN_TEST_SUBNET is a warning saying probing never works on Linux', () => {
    const f = solaris({ ...db, ...ok, defaultrouter: '198.51.100.1\n' }, map).findings.find((x) => x.code === 'NO_ROUTER_IN_TEST_SUBNET');
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain('on a Linux network probing then never works and PROBE/STATE stay unknown');
  });
});

describe('finding helpers', () => {
  test('formatFinding prints "severity code file:line message"', () => {
    expect(formatFinding({ severity: 'error', code: 'X', file: 'etc/hostname.ce1', line: 1, message: 'two\nlines' })).toBe('error X etc/hostname.ce1:1 two lines');
    expect(formatFinding({ severity: 'info', code: 'Y', file: 'a.yaml', line: 3, column: 7, message: 'm' })).toBe('info Y a.yaml:3:7 m');
  });

  test('hasErrors and sortFindings', () => {
    const f = [
      { severity: 'info' as const, code: 'A', file: 'b', line: 1, message: '' },
      { severity: 'warning' as const, code: 'B', file: 'a', line: 2, message: '' },
      { severity: 'error' as const, code: 'C', file: 'a', line: 2, message: '' },
    ];
    expect(hasErrors(f)).toBe(true);
    expect(hasErrors(f.slice(0, 2))).toBe(false);
    expect(sortFindings(f).map((x) => x.code)).toEqual(['C', 'B', 'A']);
  });
});
