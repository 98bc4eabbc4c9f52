// Every example configuration of reference §7, plus the seed and its fix, replayed
// through the importer: the resulting model and the findings that matter.
import { describe, expect, test } from 'vitest';
import { hasErrors } from '../../../src/config/findings.js';
import { codes, find, group, solaris } from './solaris-helpers.js';

describe('§7 examples', () => {
  test('A: Solaris 9 docs — data on the physical, test on :1, IPv6 link-local test + global data', () => {
    const r = solaris({
      'hostname.hme0': '19.16.85.19 netmask + broadcast + group test up \\\naddif 19.16.85.21 deprecated -failover netmask + broadcast + up\n',
      'hostname6.hme0': '-failover group test up addif 1080::56:a00:20ff:feb9:19fa up\n',
      'inet/netmasks': '19.16.85.0 255.255.255.0\n',
    });
    const g = group(r.config, 'test');
    expect(g.interfaces).toEqual([{ name: 'hme0', solarisName: 'hme0', standby: false, testAddresses: ['19.16.85.21/24'], ipv6LinkLocalTest: true }]);
    expect(g.dataAddresses).toEqual([
      { address: '19.16.85.19/24', interface: 'hme0', deprecated: false, up: true },
      { address: '1080::56:a00:20ff:feb9:19fa/64', interface: 'hme0', deprecated: false, up: true },
    ]);
    expect(codes(r.findings)).toContain('SINGLE_INTERFACE_GROUP');
    expect(hasErrors(r.findings)).toBe(false);
  });

  test('B: unixpowered — test on the physical, data on :1 with explicit failover', () => {
    const r = solaris({
      'hostname.hme0': 'unreal-hme0 netmask + broadcast + deprecated -failover group unrealgrp1 up addif unreal netmask + broadcast + failover up\n',
      'hostname.hme1': 'unreal-hme1 netmask + broadcast + deprecated -failover group unrealgrp1 up\n',
      'inet/hosts': '192.0.2.50 unreal\n192.0.2.51 unreal-hme0\n192.0.2.52 unreal-hme1\n',
      'inet/netmasks': '192.0.2.0 255.255.255.0\n',
      defaultrouter: '192.0.2.1\n',
    }, { hme0: 'eth0', hme1: 'eth1' });
    const g = group(r.config, 'unrealgrp1');
    expect(g.mode).toBe('outbound-spread');
    expect(g.interfaces.map((i) => [i.name, i.testAddresses])).toEqual([['eth0', ['192.0.2.51/24']], ['eth1', ['192.0.2.52/24']]]);
    expect(g.dataAddresses).toEqual([{ address: '192.0.2.50/24', interface: 'eth0', deprecated: false, up: true }]);
    expect(r.config?.defaultRouters).toEqual(['192.0.2.1']);
    expect(r.findings).toEqual([]);
  });

  test('C: unix.com — deprecated addif data, data from a logical file, -failover NIC outside any group', () => {
    const r = solaris({
      'hostname.ce6': 'super-ce6 netmask + broadcast + group accgrp deprecated -failover up addif super-dummy netmask + broadcast + deprecated up\n',
      'hostname.ce6:2': 'super netmask + broadcast + up\n',
      'hostname.ce10': 'super-ce10 netmask + broadcast + group accgrp deprecated -failover up\n',
      'hostname.ce5': 'super-ce5 netmask + broadcast + deprecated -failover up\n',
      'inet/hosts': '10.66.22.64 super\n10.66.22.74 super-ce6\n10.66.22.84 super-ce10\n10.66.22.108 super-dummy\n10.66.23.112 super-ce5\n',
      'inet/netmasks': '10.66.22.0 255.255.255.0\n10.66.23.0 255.255.255.0\n',
    });
    const g = group(r.config, 'accgrp');
    expect(g.interfaces.map((i) => [i.solarisName, i.testAddresses])).toEqual([['ce10', ['10.66.22.84/24']], ['ce6', ['10.66.22.74/24']]]);
    expect(g.dataAddresses).toEqual([
      { address: '10.66.22.108/24', interface: 'ce6', deprecated: true, up: true },
      { address: '10.66.22.64/24', interface: 'ce6', deprecated: false, up: true },
    ]);
    const mismatch = find(r.findings, 'GROUP_MISMATCH');
    expect(mismatch).toMatchObject({ file: 'etc/hostname.ce5', line: 1, severity: 'warning' });
    expect(find(r.findings, 'NOT_IN_GROUP')?.message).toContain('10.66.23.112/24');
    expect(hasErrors(r.findings)).toBe(false);
  });

  test('D: xdroop — probe-based with a standby (placeholders filled from hosts)', () => {
    const r = solaris({
      'hostname.dmfe0': 'dmfe-host netmask + broadcast + group failovergroup up addif dmfe-test0 deprecated -failover netmask + broadcast + up\n',
      'hostname.dmfe1': 'dmfe-test1 netmask + broadcast + deprecated group failovergroup -failover standby up\n',
      'inet/hosts': '192.0.2.60 dmfe-host\n192.0.2.61 dmfe-test0\n192.0.2.62 dmfe-test1\n',
      'inet/netmasks': '192.0.2.0 255.255.255.0\n',
    });
    const g = group(r.config, 'failovergroup');
    expect(g.mode).toBe('active-standby');
    expect(g.interfaces.map((i) => [i.name, i.standby, i.testAddresses])).toEqual([['dmfe0', false, ['192.0.2.61/24']], ['dmfe1', true, ['192.0.2.62/24']]]);
    expect(g.dataAddresses.map((d) => [d.address, d.interface])).toEqual([['192.0.2.60/24', 'dmfe0']]);
    expect(codes(r.findings)).not.toContain('STANDBY_ORDER');
    expect(hasErrors(r.findings)).toBe(false);
  });

  test('D: xdroop — link-based only, second NIC without any address', () => {
    const r = solaris({
      'hostname.dmfe0': 'dmfe-host group lbgroup up\n',
      'hostname.dmfe1': 'group lbgroup up\n',
      'inet/hosts': '192.0.2.60 dmfe-host\n',
      'inet/netmasks': '192.0.2.0 255.255.255.0\n',
    });
    const g = group(r.config, 'lbgroup');
    expect(g.interfaces.map((i) => [i.name, i.testAddresses])).toEqual([['dmfe0', []], ['dmfe1', []]]);
    expect(g.dataAddresses).toEqual([{ address: '192.0.2.60/24', interface: 'dmfe0', deprecated: false, up: true }]);
    expect(r.findings.filter((f) => f.code === 'NO_TEST_ADDRESS').map((f) => f.severity)).toEqual(['info', 'info']);
    expect(hasErrors(r.findings)).toBe(false);
  });

  test('D: the page as published, with $placeholders, fails like Solaris would', () => {
    const r = solaris({ 'hostname.dmfe0': '$hostname group $groupname up\n', 'hostname.dmfe1': 'group $groupname up\n' });
    const bad = r.findings.filter((f) => f.code === 'UNRESOLVED_NAME');
    expect(bad[0]).toMatchObject({ file: 'etc/hostname.dmfe0', line: 1 });
    expect(bad[0]!.message).toContain('placeholder');
    // dmfe1 joins the group literally named "$groupname"; dmfe0 never got that far.
    expect(r.config?.groups.map((g) => [g.name, g.interfaces.map((i) => i.name)])).toEqual([['$groupname', ['dmfe1']]]);
  });

  test('E: standby command as documented, and inside a group', () => {
    const lone = solaris({ 'hostname.hme1': '192.168.85.22 netmask + broadcast + deprecated -failover standby up\n', 'hostname6.hme1': '-failover standby up\n' });
    expect(lone.findings.filter((f) => f.code === 'GROUP_MISMATCH')).toHaveLength(2);
    const r = solaris({
      'hostname.hme0': '192.168.85.19 netmask + broadcast + group test up addif 192.168.85.21 deprecated -failover netmask + broadcast + up\n',
      'hostname.hme1': '192.168.85.22 netmask + broadcast + deprecated group test -failover standby up\n',
      'hostname6.hme1': '-failover standby up\n',
      'hostname6.hme0': '-failover up\n',
      'inet/netmasks': '192.168.85.0 255.255.255.0\n',
    });
    const g = group(r.config, 'test');
    expect(g.interfaces.map((i) => [i.name, i.standby, i.testAddresses, i.ipv6LinkLocalTest])).toEqual([
      ['hme0', false, ['192.168.85.21/24'], true], ['hme1', true, ['192.168.85.22/24'], true],
    ]);
    expect(hasErrors(r.findings)).toBe(false);
  });

  test('F: Solaris 11 ipadm commands', () => {
    const r = solaris({
      'ipadm-setup.sh': [
        '#!/bin/sh', 'ipadm create-ipmp ipmp0', 'ipadm add-ipmp -i net0 -i net1 ipmp0',
        'ipadm create-addr -T static -a 10.1.1.20/24 ipmp0/v4', 'ipadm create-addr -a 192.168.85.30/24 net0   # test',
        'ipadm set-ifprop -p standby=on -m ip net1', '',
      ].join('\n'),
    }, { net0: 'eth0', net1: 'eth1' });
    const g = group(r.config, 'ipmp0');
    expect(g.mode).toBe('active-standby');
    expect(g.interfaces.map((i) => [i.name, i.standby, i.testAddresses])).toEqual([['eth0', false, ['192.168.85.30/24']], ['eth1', true, []]]);
    expect(g.dataAddresses).toEqual([{ address: '10.1.1.20/24', interface: 'eth0', deprecated: false, up: true }]);
    expect(find(r.findings, 'DATA_HOME_ASSIGNED')).toMatchObject({ file: 'ipadm-setup.sh', line: 4 });
    expect(codes(r.findings)).not.toContain('TEST_ADDRESS_NOT_DEPRECATED');
    expect(hasErrors(r.findings)).toBe(false);
  });
});

describe('the issue seed', () => {
  const seedLine = (nic: string, data: string): string =>
    `appserver-${nic} netmask + broadcast + group appserver-ipmp deprecated -failover up \\\n               addif ${data} netmask + broadcast + failover up\n`;
  const base = {
    'inet/hosts': '192.0.2.100 appserver\n192.0.2.101 appserver2\n192.0.2.10 appserver-ce0\n192.0.2.11 appserver-ce1\n',
    'inet/netmasks': '192.0.2.0 255.255.255.0\n',
    defaultrouter: '192.0.2.254\n',
  };

  test('as published: the same addif in both files is DUPLICATE_DATA_ADDRESS, model keeps it once', () => {
    const r = solaris({ ...base, 'hostname.ce0': seedLine('ce0', 'appserver'), 'hostname.ce1': seedLine('ce1', 'appserver') }, { ce0: 'eth0', ce1: 'eth1' });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_DATA_ADDRESS', file: 'etc/hostname.ce1', line: 1 }),
    ]);
    expect(r.config).toMatchObject({
      mpathd: { failureDetectionTime: 10000, failback: true, trackInterfacesOnlyWithGroups: true },
      defaultRouters: ['192.0.2.254'],
      groups: [{
        name: 'appserver-ipmp', mode: 'outbound-spread',
        interfaces: [{ name: 'eth0', standby: false, testAddresses: ['192.0.2.10/24'] }, { name: 'eth1', standby: false, testAddresses: ['192.0.2.11/24'] }],
        dataAddresses: [{ address: '192.0.2.100/24', interface: 'eth0', deprecated: false, up: true }],
      }],
    });
  });

  test('fixed: one data address per NIC, no findings at all', () => {
    const r = solaris({ ...base, 'hostname.ce0': seedLine('ce0', 'appserver'), 'hostname.ce1': seedLine('ce1', 'appserver2') }, { ce0: 'eth0', ce1: 'eth1' });
    expect(r.findings).toEqual([]);
    expect(group(r.config, 'appserver-ipmp').dataAddresses.map((d) => `${d.address}@${d.interface}`)).toEqual(['192.0.2.100/24@eth0', '192.0.2.101/24@eth1']);
  });
});
