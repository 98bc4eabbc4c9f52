// Solaris boot grammar edge cases: one-line vs multi-line files, blank lines, backslashes,
// addif context, `+` lookups with VLSM netmasks, IPv6 files, group precedence.
import { describe, expect, test } from 'vitest';
import { shellReadLines } from '../../../src/config/shell-read.js';
import { HOSTS, NETMASKS, codes, find, group, solaris } from './solaris-helpers.js';

const db = { 'inet/hosts': HOSTS, 'inet/netmasks': NETMASKS };
const pair = (ce0: string, ce1 = 'host-b group g -failover deprecated up\n') => solaris({ ...db, 'hostname.ce0': ce0, 'hostname.ce1': ce1 });

describe('sh read', () => {
  test.each([
    ['a b\n', [['a', 'b']]],
    ['a \\\nb\n', [['a', 'b']]],
    ['a\\b\n', [['ab']]],
    ['a\\\\b\n', [['a\\b']]],
    ['group ""\n', [['group', '""']]],
    ['  lead   trail  \n', [['lead', 'trail']]],
    ['up\r\n', [['up\r']]],
    ['x\n\ny\n', [['x'], [], ['y']]],
    ['tail', [['tail']]],
  ])('%j', (text, words) => {
    expect(shellReadLines(text).map((r) => r.words)).toEqual(words);
  });

  test('continuation keeps the start line and marks the end line', () => {
    const [r] = shellReadLines('a \\\nb \\\nc\n');
    expect(r).toMatchObject({ line: 1, endLine: 3, continued: true, unterminated: false });
  });
});

describe('one-line vs multi-line hostname files', () => {
  test('one line gets the implicit "netmask + broadcast + up"', () => {
    const r = pair('host-a group g -failover deprecated\n');
    expect(group(r.config, 'g').interfaces[0]!.testAddresses).toEqual(['192.0.2.10/24']);
    expect(codes(r.findings)).not.toContain('ADDRESS_NOT_UP');
  });

  test('two lines run verbatim: no implicit up, classful mask', () => {
    const r = pair('host-a group g -failover deprecated\naddif service\n');
    const notUp = r.findings.filter((f) => f.code === 'ADDRESS_NOT_UP');
    expect(notUp.map((f) => f.line)).toEqual([1, 2]);
    expect(notUp[0]!.message).toContain('test address');
    expect(notUp[1]!.message).toContain('multi-line');
    expect(find(r.findings, 'NETMASK_CLASSFUL')).toMatchObject({ file: 'etc/hostname.ce0', line: 1 });
  });

  test('a blank line after the only line turns it multi-line (TRAILING_BLANK_LINE)', () => {
    const r = pair('host-a group g -failover deprecated\n\n');
    expect(find(r.findings, 'TRAILING_BLANK_LINE')).toMatchObject({ file: 'etc/hostname.ce0', line: 1, severity: 'warning' });
    expect(find(r.findings, 'ADDRESS_NOT_UP')).toBeDefined();
  });

  test('a leading blank line does not (the held-line loop only runs earlier lines)', () => {
    const r = pair('\nhost-a group g -failover deprecated\n');
    expect(codes(r.findings)).not.toContain('TRAILING_BLANK_LINE');
    expect(codes(r.findings)).not.toContain('ADDRESS_NOT_UP');
  });

  test('trailing backslash joins lines into one logical (one-line) command', () => {
    const r = pair('host-a group g -failover deprecated up \\\naddif service up\n');
    expect(group(r.config, 'g').dataAddresses.map((d) => d.address)).toEqual(['192.0.2.100/24']);
    expect(r.config!.groups[0]!.dataAddresses[0]!.up).toBe(true);
  });

  test('"\\x" loses the backslash: Sun docs "up \\ addif" inline is harmless', () => {
    const r = pair('host-a group g -failover deprecated up \\ addif service up\n');
    expect(group(r.config, 'g').dataAddresses.map((d) => d.address)).toEqual(['192.0.2.100/24']);
  });

  test('comments are not stripped: COMMENT_IN_HOSTNAME_FILE and the file becomes multi-line', () => {
    const r = pair('# primary NIC\nhost-a group g -failover deprecated up\n');
    expect(find(r.findings, 'COMMENT_IN_HOSTNAME_FILE')).toMatchObject({ line: 1 });
    expect(codes(r.findings)).not.toContain('UNRESOLVED_NAME');
    expect(find(r.findings, 'NETMASK_CLASSFUL')).toMatchObject({ line: 2 });
  });

  test('empty file: interface plumbed, nothing configured', () => {
    const r = solaris({ ...db, 'hostname.ce0': '', 'hostname.ce1': 'host-b group g -failover deprecated up\n' });
    expect(r.config!.groups[0]!.interfaces.map((i) => i.name)).toEqual(['ce1']);
  });
});

describe('addif context', () => {
  test('flags after addif apply to the new logical, not the physical', () => {
    const r = pair('service group g up addif host-a deprecated -failover up\n');
    const g = group(r.config, 'g');
    expect(g.interfaces[0]!.testAddresses).toEqual(['192.0.2.10/24']);
    expect(g.dataAddresses).toEqual([{ address: '192.0.2.100/24', interface: 'ce0', deprecated: false, up: true }]);
  });

  test('with the one-line epilogue after addif, the physical address is never brought up', () => {
    const r = pair('service group g addif host-a deprecated -failover\n');
    const notUp = find(r.findings, 'ADDRESS_NOT_UP');
    expect(notUp?.message).toContain('192.0.2.100/24');
    expect(group(r.config, 'g').dataAddresses[0]!.up).toBe(false);
  });

  test('addif in a logical interface file fails', () => {
    const r = solaris({ ...db, 'hostname.ce0:1': 'host-a addif service\n' });
    expect(find(r.findings, 'ADDIF_ON_LOGICAL')).toMatchObject({ file: 'etc/hostname.ce0:1', severity: 'error' });
  });

  test('addif numbering skips logicals plumbed from their own files', () => {
    const r = solaris({ ...db, 'hostname.ce0': 'host-a group g -failover deprecated up addif service up\n', 'hostname.ce0:1': 'service2 up\n', 'hostname.ce1': 'host-b group g -failover deprecated up\n' });
    expect(group(r.config, 'g').dataAddresses.map((d) => d.address)).toEqual(['192.0.2.101/24', '192.0.2.100/24']);
  });
});

describe('+ lookups', () => {
  const vlsm = '10.0.0.0 255.0.0.0\n10.1.0.0 255.255.0.0\n10.1.2.0 255.255.255.192\n10.1.2.64 255.255.255.224\n';
  test.each([
    ['10.1.2.70', 27],
    ['10.1.2.5', 26],
    ['10.1.9.9', 16],
    ['10.200.0.1', 8],
    ['172.16.5.5', 16],
  ])('netmask + for %s gives /%i', (addr, prefix) => {
    const r = solaris({ 'inet/netmasks': vlsm, 'hostname.ce0': `${addr} group g -failover deprecated\n` });
    expect(r.config!.groups[0]!.interfaces[0]!.testAddresses).toEqual([`${addr}/${prefix}`]);
  });

  test('classful network keys without trailing zeros ("192.9.200") still match', () => {
    const r = solaris({ 'inet/netmasks': '192.9.200 255.255.255.128\n', 'hostname.ce0': '192.9.200.7 group g -failover deprecated\n' });
    expect(r.config!.groups[0]!.interfaces[0]!.testAddresses).toEqual(['192.9.200.7/25']);
  });

  test('a /prefix on the address overrides netmask +', () => {
    const r = solaris({ 'inet/netmasks': vlsm, 'hostname.ce0': '10.1.2.70/28 group g -failover deprecated\n' });
    expect(r.config!.groups[0]!.interfaces[0]!.testAddresses).toEqual(['10.1.2.70/28']);
  });

  test('the last netmask on the line applies to every address set on it (pre-scan)', () => {
    const r = solaris({ 'hostname.ce0': '10.0.0.1 netmask 255.255.255.0 group g -failover deprecated up addif 10.0.0.2 netmask 255.255.0.0 up\nup\n' });
    const g = r.config!.groups[0]!;
    expect(g.interfaces[0]!.testAddresses).toEqual(['10.0.0.1/24']);
    expect(g.dataAddresses[0]!.address).toBe('10.0.0.2/16');
  });

  test('no netmasks entry: classful fallback with a finding', () => {
    const r = solaris({ 'hostname.ce0': '10.9.9.9 group g -failover deprecated\n' });
    expect(r.config!.groups[0]!.interfaces[0]!.testAddresses).toEqual(['10.9.9.9/8']);
    expect(find(r.findings, 'NETMASK_CLASSFUL')?.message).toContain('/8');
  });

  test('names resolve from etc/hosts when etc/inet/hosts is absent, case-insensitively', () => {
    const r = solaris({ hosts: '192.0.2.10 Host-A\n', 'hostname.ce0': 'HOST-a group g -failover deprecated\n' });
    expect(r.config!.groups[0]!.interfaces[0]!.testAddresses).toEqual(['192.0.2.10/8'.replace('/8', '/24')]);
  });

  test('IPv6 names come from ipnodes', () => {
    const r = solaris({ 'inet/ipnodes': '2001:db8::10 web6\n', 'hostname6.ce0': '-failover group g up\naddif web6/64 up\n' });
    expect(r.config!.groups[0]!.dataAddresses[0]!.address).toBe('2001:db8::10/64');
  });
});

describe('inet6 files', () => {
  test('-failover on the physical makes the link-local the test address; inet6 up is implicit', () => {
    const r = solaris({ 'hostname6.ce0': '-failover group g\n', 'hostname6.ce1': '-failover group g\n' });
    const g = r.config!.groups[0]!;
    expect(g.interfaces.map((i) => i.ipv6LinkLocalTest)).toEqual([true, true]);
    expect(codes(r.findings)).not.toContain('NO_TEST_ADDRESS');
  });

  test('a global IPv6 test address is kept but flagged', () => {
    const r = solaris({ 'hostname6.ce0': 'addif 2001:db8::5/64 -failover group g up\n', 'hostname6.ce1': '-failover group g\n' });
    expect(find(r.findings, 'IPV6_TEST_NOT_LINK_LOCAL')).toMatchObject({ file: 'etc/hostname6.ce0', line: 1 });
  });

  test('netmask in an inet6 file is ignored with an info', () => {
    const r = solaris({ 'hostname6.ce0': '-failover group g netmask + up\n' });
    expect(find(r.findings, 'TOKEN_WRONG_FAMILY')?.severity).toBe('info');
  });
});

describe('groups', () => {
  test('last group setting wins within a file', () => {
    const r = pair('host-a group old -failover deprecated group g\n');
    expect(find(r.findings, 'GROUP_OVERRIDDEN')).toMatchObject({ file: 'etc/hostname.ce0', line: 1 });
    expect(r.config!.groups.map((g) => g.name)).toEqual(['g']);
  });

  test('inet6 wins over inet', () => {
    const r = solaris({ ...db, 'hostname.ce0': 'host-a group v4grp -failover deprecated\n', 'hostname6.ce0': '-failover group v6grp\n', 'hostname.ce1': 'host-b group v6grp -failover deprecated\n' });
    expect(find(r.findings, 'GROUP_OVERRIDDEN')?.message).toContain('inet6 wins');
    expect(r.config!.groups.map((g) => [g.name, g.interfaces.length])).toEqual([['v6grp', 2]]);
  });

  test('group "" is passed literally by boot: warning, treated as leaving the group', () => {
    const r = pair('host-a group g -failover deprecated group ""\n');
    expect(find(r.findings, 'LITERAL_QUOTES')).toBeDefined();
    expect(group(r.config, 'g').interfaces.map((i) => i.name)).toEqual(['ce1']);
  });

  test('Clearview hostname.ipmp0 with a leading ipmp keyword', () => {
    const r = solaris({ ...db, 'hostname.ipmp0': 'ipmp group web service up\n', 'hostname.ce0': 'host-a group web -failover up\n', 'hostname.ce1': 'host-b group web -failover up\n' });
    const g = group(r.config, 'web');
    expect(g.interfaces.map((i) => i.name)).toEqual(['ce0', 'ce1']);
    expect(g.dataAddresses).toEqual([{ address: '192.0.2.100/24', interface: 'ce0', deprecated: false, up: true }]);
    expect(codes(r.findings)).not.toContain('TEST_ADDRESS_NOT_DEPRECATED');
  });
});

describe('file discovery and misc', () => {
  test('names that do not end in a digit or have extra dots are ignored with an info', () => {
    const r = solaris({ ...db, 'hostname.ce0.bak': 'junk\n', 'hostname.ce0.1': 'junk\n', 'hostname.ce0': 'host-a group g -failover deprecated\n' });
    expect(r.findings.filter((f) => f.code === 'FILE_IGNORED').map((f) => [f.file, f.severity])).toEqual([['etc/hostname.ce0.1', 'info'], ['etc/hostname.ce0.bak', 'info']]);
  });

  test('DHCP interface with the "inet name" hostname file is not run through ifconfig', () => {
    const r = solaris({ ...db, 'dhcp.ce0': '', 'hostname.ce0': 'inet myhost\n', 'hostname.ce1': 'host-b group g -failover deprecated\n' });
    expect(find(r.findings, 'DYNAMIC_ADDRESS')).toMatchObject({ file: 'etc/dhcp.ce0' });
    expect(codes(r.findings)).not.toContain('UNRESOLVED_NAME');
  });

  test('misspelt keyword: bad address with a hint', () => {
    const r = pair('host-a group g -failover deprecatd up\n');
    expect(find(r.findings, 'UNRESOLVED_NAME')?.message).toContain('did you mean "deprecated"');
  });

  test('DOS line endings: the CR sticks to the last word', () => {
    const r = pair('host-a group g -failover deprecated up\r\n');
    expect(find(r.findings, 'UNRESOLVED_NAME')?.message).toContain('DOS line endings');
  });

  test('last line without newline still runs, with a warning', () => {
    const r = pair('host-a group g -failover deprecated');
    expect(find(r.findings, 'NO_FINAL_NEWLINE')).toBeDefined();
    expect(group(r.config, 'g').interfaces[0]!.testAddresses).toEqual(['192.0.2.10/24']);
  });

  test('removeif deletes a logical configured earlier', () => {
    const r = pair('host-a group g -failover deprecated up\naddif service up\nremoveif service\n');
    expect(group(r.config, 'g').dataAddresses).toEqual([]);
  });

  test('-arp on a group member is not IPMP compatible', () => {
    const r = pair('host-a group g -failover deprecated -arp up\n');
    expect(find(r.findings, 'NOT_IPMP_COMPATIBLE')).toBeDefined();
  });
});
