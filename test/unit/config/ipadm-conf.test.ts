// The Solaris 11 persistent store in both dialects (illumos libipadm, Oracle ipmgmtd) migrates
// to the same model as the ipadm commands that build it; malformed lines are reported at
// file:line the way libipadm would drop them; arbitrary bytes never throw.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FindingSink, formatFinding } from '../../../src/config/findings.js';
import { parseDatalinkConf } from '../../../src/config/datalink-conf.js';
import { parseIpadmConf } from '../../../src/config/ipadm-conf.js';
import { loadConfig } from '../../../src/config/load.js';
import { importSolaris } from '../../../src/config/solaris-import.js';

const map = { net0: 'eth0', net1: 'eth1', net2: 'eth2' };
const fixture = (d: string) => loadConfig(`test/fixtures/solaris/${d}`, { map });

function store(conf: string, extra: Record<string, string> = {}) {
  const files = new Map<string, string>([['etc/ipadm/ipadm.conf', conf], ['etc/defaultrouter', '192.0.2.1\n']]);
  for (const [k, v] of Object.entries(extra)) files.set(`etc/${k}`, v);
  return importSolaris({ files, etc: 'etc/', ipadmScripts: [], label: 'etc' }, { map: { net0: 'eth0', net1: 'eth1' } });
}

const GROUP = [
  '_ifname=net0;_families=2,26;_ifclass=0;_gifname=ipmp0;',
  '_ifname=net1;_families=2,26;_ifclass=0;_gifname=ipmp0;',
  '_ifname=ipmp0;_families=2,26;_ifclass=1;_mifnames=net1,net0;',
  '_ifname=net0;_aobjname=net0/t;_ipv4addr=192.0.2.11,;up=yes;prefixlen=24;',
  '_ifname=net1;_aobjname=net1/t;_ipv4addr=192.0.2.12,;up=yes;prefixlen=24;',
  '_ifname=ipmp0;_aobjname=ipmp0/v4;_ipv4addr=192.0.2.20,;up=yes;prefixlen=24;',
].join('\n') + '\n';

describe('ipadm.conf fixtures', () => {
  test('the script fixture gives the expected model', async () => {
    const r = await fixture('s11-equiv-script');
    expect(r.findings.map((f) => f.code)).toEqual(['NO_TEST_ADDRESS', 'DATA_HOME_ASSIGNED', 'DATA_HOME_ASSIGNED']);
    expect(r.config?.groups).toEqual([{
      name: 'ipmp0', mode: 'active-standby', probe: 'icmp',
      announce: expect.any(Object),
      interfaces: [
        { name: 'eth0', solarisName: 'net0', standby: false, testAddresses: ['192.0.2.11/24'], ipv6LinkLocalTest: true },
        { name: 'eth1', solarisName: 'net1', standby: true, testAddresses: ['192.0.2.12/24'], ipv6LinkLocalTest: true },
        { name: 'eth2', solarisName: 'net2', standby: false, testAddresses: [] },
      ],
      dataAddresses: [
        { address: '192.0.2.20/24', interface: 'eth0', deprecated: false, up: true },
        { address: '2001:db8::20/64', interface: 'eth2', deprecated: false, up: true },
      ],
    }]);
  });

  test.each(['s11-conf-illumos', 's11-conf-oracle'])('%s migrates to the same model as the equivalent script', async (d) => {
    const [a, b] = await Promise.all([fixture('s11-equiv-script'), fixture(d)]);
    expect(b.config).toEqual(a.config);
    // Same findings, pointing into the store instead of the script.
    expect(b.findings.map((f) => `${f.severity} ${f.code} ${f.message}`)).toEqual(a.findings.map((f) => `${f.severity} ${f.code} ${f.message}`));
    expect(b.findings.every((f) => f.file === 'etc/ipadm/ipadm.conf' && f.line > 0)).toBe(true);
  });
});

describe('ipadm.conf records', () => {
  const cases: { name: string; conf: string; extra?: Record<string, string>; want: string }[] = [
    { name: 'a name twice in a line', conf: GROUP + '_ifname=net1;_ifname=net2;_family=2;\n', want: 'warning IPADM_CONF_BAD_LINE etc/ipadm/ipadm.conf:7 field "_ifname" appears twice; ipadm treats the line as corrupt and drops it' },
    { name: 'no _ifname and no _protocol', conf: GROUP + 'garbage\n', want: 'warning IPADM_CONF_BAD_LINE etc/ipadm/ipadm.conf:7 no _ifname (interface or address) and no _protocol (property) field; line ignored' },
    { name: 'an over-long line', conf: GROUP + `_ifname=net0;_aobjname=net0/x;reqhost=${'a'.repeat(1100)};\n`, want: 'warning IPADM_CONF_BAD_LINE etc/ipadm/ipadm.conf:7 line is 11' },
    { name: 'an unknown family', conf: GROUP + '_ifname=net0;_family=7;\n', want: 'warning IPADM_CONF_BAD_LINE etc/ipadm/ipadm.conf:7 _family 7 of net0 is neither 2 (IPv4) nor 26 (IPv6); ignored' },
    { name: 'an address without a value', conf: GROUP + '_ifname=net0;_aobjname=net0/y;prefixlen=24;\n', want: 'warning IPADM_CONF_BAD_LINE etc/ipadm/ipadm.conf:7 address object net0/y has no _ipv4addr, _ipv6addr, _intfid or _dhcp; ignored' },
    { name: 'a bad prefixlen', conf: GROUP + '_ifname=ipmp0;_aobjname=ipmp0/b;_ipv4addr=192.0.2.21,;prefixlen=33;\n', want: 'error INVALID_PREFIX etc/ipadm/ipadm.conf:7 ipmp0/b: prefixlen "33" is not 0..32' },
    { name: 'a member of an undefined IPMP interface', conf: GROUP + '_ifname=net2;_families=2;_gifname=ipmp9;\n', want: 'warning IPADM_UNKNOWN_OBJECT etc/ipadm/ipadm.conf:7 net2 names IPMP interface ipmp9, which the store does not define; membership ignored' },
    { name: 'a DHCP address', conf: GROUP + '_ifname=net0;_aobjname=net0/d;_dhcp=-1,no;\n', want: 'warning DYNAMIC_ADDRESS etc/ipadm/ipadm.conf:7 net0/d is a DHCP address; ipmpd does not migrate dynamic addresses' },
    { name: 'an unsupported interface property', conf: GROUP + '_ifname=net0;_protocol=ipv4;mtu=9000;\n', want: 'info IPADM_UNSUPPORTED etc/ipadm/ipadm.conf:7 interface property mtu=9000 has no counterpart in ipmpd; ignored' },
    { name: 'a link missing from datalink.conf', conf: GROUP, extra: { 'dladm/datalink.conf': 'net0\tclass=int,1;devname=string,e1000g0;\n' }, want: 'warning DATALINK_UNKNOWN etc/ipadm/ipadm.conf:2 net1 is not a link in etc/dladm/datalink.conf; Solaris cannot plumb it at boot' },
    { name: 'a malformed datalink.conf line', conf: GROUP, extra: { 'dladm/datalink.conf': 'net0\tclass=int,1;\nnet1\tclass=int,1;\nlonely\n' }, want: 'warning DATALINK_BAD_LINE etc/dladm/datalink.conf:3 "lonely" is not "<link> <attr>=<type>,<value>;…"; line ignored' },
    { name: 'a hostname resolved through hosts', conf: GROUP + '_ifname=ipmp0;_aobjname=ipmp0/n;_ipv4addr=nosuchhost,;prefixlen=24;\n', want: 'error UNRESOLVED_NAME etc/ipadm/ipadm.conf:7' },
  ];
  test.each(cases)('$name', ({ conf, extra, want }) => {
    const out = store(conf, extra).findings.map(formatFinding);
    expect(out.some((l) => l.startsWith(want))).toBe(true);
  });

  test('the plain group store is clean and deprecated/down are kept', () => {
    expect(store(GROUP).findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const r = store(GROUP + '_ifname=ipmp0;_aobjname=ipmp0/x;_ipv4addr=192.0.2.30,;prefixlen=24;deprecated=on;up=no;\n');
    expect(r.config?.groups[0]?.dataAddresses).toContainEqual({ address: '192.0.2.30/24', interface: 'eth1', deprecated: true, up: false });
  });

  test('a script next to the store wins; the store is reported as ignored', async () => {
    const r = await loadConfig('test/fixtures/solaris/s11-ipadm', { map });
    expect(r.findings.map(formatFinding)).toContain('info FILE_IGNORED etc/ipadm/ipadm.conf:0 the persistent ipadm store is not read because the ipadm script ipadm-network.sh describes the same host; remove the script to migrate the store instead');
  });

  test('datalink.conf gives link names and devices', () => {
    const links = parseDatalinkConf('# c\nnet0\tclass=int,1;devname=string,e1000g0;\n', 'x', new FindingSink());
    expect([...links.values()]).toEqual([{ name: 'net0', device: 'e1000g0', line: 2 }]);
  });

  test('arbitrary text never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      parseIpadmConf(s, 'f', new FindingSink());
      parseDatalinkConf(s, 'f', new FindingSink());
      store(s);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.constantFrom('_ifname=', 'net0', 'ipmp0', ';', '_gifname=', '_mifnames=', ',', '_aobjname=', 'net0/a', '_ipv4addr=', '192.0.2.1', '_intfid=', '\n', '=', 'prefixlen=', '_underif=', '_protocol=ip', 'standby=on', '_family=2'), { maxLength: 60 }), (a) => {
      store(a.join(''));
    }), { numRuns: 500 });
  });
});
