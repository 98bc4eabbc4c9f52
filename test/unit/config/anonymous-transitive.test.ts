// TRACK_INTERFACES_ONLY_WITH_GROUPS=no: NICs named outside any group form in.mpathd's
// anonymous group, from YAML (`anonymous:`) and from Solaris hostname files without `group`.
import { describe, expect, it } from 'vitest';
import { anonymousGroup, trackedGroups } from '../../../src/config/anonymous.js';
import { parseYamlConfig, toYaml } from '../../../src/config/yaml-config.js';
import { HOSTS, NETMASKS, codes, find, solaris } from './solaris-helpers.js';

const GROUP = `
groups:
  - name: g
    interfaces: [{ name: eth0 }, { name: eth1 }]
`;

describe('anonymous group: YAML', () => {
  it('parses, tracks only with trackInterfacesOnlyWithGroups: false, and round-trips', () => {
    const r = parseYamlConfig(`mpathd: { trackInterfacesOnlyWithGroups: false }\n${GROUP}anonymous:\n  - { name: eth3, testAddresses: [192.0.2.40/24] }\n  - { name: eth4 }\n`, 'c.yaml');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.config?.anonymous).toEqual([{ name: 'eth3', standby: false, testAddresses: ['192.0.2.40/24'] }, { name: 'eth4', standby: false, testAddresses: [] }]);
    const g = anonymousGroup(r.config!);
    expect(g).toMatchObject({ name: '', anonymous: true, dataAddresses: [], interfaces: [{ name: 'eth3' }, { name: 'eth4' }] });
    expect(trackedGroups(r.config!).map((x) => x.name)).toEqual(['g', '']);
    expect(parseYamlConfig(toYaml(r.config!), 'c.yaml').config).toEqual(r.config);
  });

  it('listed while tracking only groups: a warning, and not tracked', () => {
    const r = parseYamlConfig(`${GROUP}anonymous:\n  - { name: eth3 }\n`, 'c.yaml');
    const f = r.findings.find((x) => x.code === 'ANONYMOUS_NOT_TRACKED');
    expect(f).toMatchObject({ severity: 'warning', file: 'c.yaml', line: 6 });
    expect(trackedGroups(r.config!).map((x) => x.name)).toEqual(['g']);
  });

  it('a group member listed again as anonymous, standby or a data address on it: errors naming the line', () => {
    const r = parseYamlConfig(`mpathd: { trackInterfacesOnlyWithGroups: false }\n${GROUP}anonymous:\n  - { name: eth1 }\n  - { name: eth5, standby: true }\n`, 'c.yaml');
    expect(codes(r.findings)).toContain('YAML_SCHEMA');
    expect(r.findings.find((f) => f.code === 'YAML_SCHEMA')?.message).toBe('anonymous.1.standby: unknown key "standby"');
    const r2 = parseYamlConfig(`mpathd: { trackInterfacesOnlyWithGroups: false }\n${GROUP}anonymous:\n  - { name: eth1 }\n`, 'c.yaml');
    expect(find(r2.findings, 'INTERFACE_IN_TWO_GROUPS')).toMatchObject({ severity: 'error', line: 7 });
  });
});

describe('anonymous group: Solaris hostname files without group', () => {
  const files = (mpathd: string) => ({
    'inet/hosts': HOSTS, 'inet/netmasks': NETMASKS, 'default/mpathd': mpathd,
    'hostname.ce0': 'service group g up addif host-a deprecated -failover up\n',
    'hostname.ce1': 'host-b group g deprecated -failover up\n',
    'hostname.ce2': '198.51.100.10 netmask + broadcast + up addif 198.51.100.20 deprecated -failover netmask + broadcast + up\n',
  });

  it('TRACK_INTERFACES_ONLY_WITH_GROUPS=no: the NIC is anonymous with its -failover address as test address', () => {
    const r = solaris(files('TRACK_INTERFACES_ONLY_WITH_GROUPS=no\n'), { ce0: 'eth0', ce1: 'eth1', ce2: 'eth2' });
    expect(r.config?.anonymous).toEqual([{ name: 'eth2', standby: false, testAddresses: ['198.51.100.20/24'], solarisName: 'ce2' }]);
    expect(find(r.findings, 'NOT_IN_GROUP')?.message).toBe('ce2 is tracked for failure in the anonymous group (TRACK_INTERFACES_ONLY_WITH_GROUPS=no), but its data addresses (198.51.100.10/24) are not managed by ipmpd and are left out');
    expect(codes(r.findings)).not.toContain('GROUP_MISMATCH');
  });

  it('TRACK_INTERFACES_ONLY_WITH_GROUPS=yes (default): left out, as before', () => {
    const r = solaris(files('FAILBACK=yes\n'), { ce0: 'eth0', ce1: 'eth1', ce2: 'eth2' });
    expect(r.config?.anonymous).toBeUndefined();
    expect(codes(r.findings)).toContain('GROUP_MISMATCH');
  });
});

describe('Solaris 11.2 transitive probing in an ipadm script', () => {
  const script = (svc: string) => solaris({
    'ipadm-net.sh': `ipadm create-ipmp -i net0,net1 ipmp0\nipadm create-addr -T static -a 192.0.2.100/24 ipmp0/v4\n${svc}\n`,
  }, { net0: 'eth0', net1: 'eth1' });

  it('config/transitive-probing=true gives the group probe: transitive (info finding)', () => {
    const r = script('svccfg -s svc:/network/ipmp setprop config/transitive-probing=true');
    expect(r.config?.groups.map((g) => g.probe)).toEqual(['transitive']);
    expect(find(r.findings, 'TRANSITIVE_PROBING')).toMatchObject({ severity: 'info', line: 3 });
  });

  it('=false keeps icmp', () => {
    const r = script('svccfg -s svc:/network/ipmp setprop config/transitive-probing = boolean: false');
    expect(r.config?.groups.map((g) => g.probe)).toEqual(['icmp']);
  });

  it('YAML accepts probe: transitive', () => {
    const r = parseYamlConfig('groups:\n  - name: g\n    probe: transitive\n    interfaces: [{ name: eth0 }, { name: eth1 }]\n', 'c.yaml');
    expect(r.config?.groups[0]?.probe).toBe('transitive');
  });
});

describe('probe: transitive findings', () => {
  it('members without a test address are not reported as link-only when the group probes transitively', () => {
    const yaml = (probe: string) => `groups:\n  - name: g\n    probe: ${probe}\n    interfaces: [{ name: eth0 }, { name: eth1 }]\n    dataAddresses: [{ address: 192.0.2.100/24, interface: eth0 }]\n`;
    expect(codes(parseYamlConfig(yaml('transitive'), 'c.yaml').findings)).not.toContain('NO_TEST_ADDRESS');
    expect(codes(parseYamlConfig(yaml('icmp'), 'c.yaml').findings)).toContain('NO_TEST_ADDRESS');
  });
});
