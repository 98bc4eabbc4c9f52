// The lab host's ipmpd.yaml as provisioning renders it: every placeholder filled, the native
// config shape, and addresses consistent with lab.env (which scenarios.sh checks against).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYamlConfig } from '../../../src/config/yaml-config.js';
import { labEnv, repoPath } from './repo.js';
import { run } from './tools.js';

const NICS = { NIC_A: 'eth1', NIC_B: 'eth2', VLAN_A: 'eth1.100', VLAN_B: 'eth2.100' };
const TEMPLATE = repoPath('vagrant/guest/ipmpd.yaml.tmpl');

function render(env: Record<string, string>) {
  return run(repoPath('vagrant/guest/render-config'), [TEMPLATE], { env: { PATH: process.env.PATH ?? '', ...env } });
}

interface Cfg {
  mpathd: { failureDetectionTime: number; failback: boolean };
  defaultRouters: string[];
  groups: {
    name: string;
    interfaces: { name: string; standby: boolean; testAddresses: string[] }[];
    dataAddresses: { address: string; interface: string }[];
  }[];
}

describe('lab ipmpd.yaml', () => {
  const env = labEnv();
  const r = render({ ...env, ...NICS });
  const cfg = parse(r.stdout) as Cfg;

  it('renders with no placeholder left', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/@[A-Z_]+@/);
  });

  it('is accepted by the daemon\'s own config reader without errors', () => {
    const { config, findings } = parseYamlConfig(r.stdout, '/etc/ipmpd/ipmpd.yaml');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(config?.groups.map((g) => g.dataAddresses.map((d) => [d.address, d.interface]))).toEqual([
      [[env.LAB_DATA, 'eth1']], [[env.LAB_VLAN_DATA, 'eth2.100']],
    ]);
  });

  it('has a plain group on both NICs and a VLAN group on one VLAN interface per NIC', () => {
    expect(cfg.mpathd).toEqual({ failureDetectionTime: Number(env.LAB_FDT_MS), failback: true });
    expect(cfg.groups.map((g) => [g.name, g.interfaces.map((i) => i.name)])).toEqual([
      ['ipmp0', ['eth1', 'eth2']],
      ['ipmp1', ['eth1.100', 'eth2.100']],
    ]);
    for (const g of cfg.groups) for (const i of g.interfaces) expect(i.standby).toBe(false);
  });

  it('uses the lab.env addresses that scenarios.sh looks for', () => {
    const [plain, vlan] = cfg.groups;
    expect(plain?.interfaces.map((i) => i.testAddresses)).toEqual([[env.LAB_TEST_A], [env.LAB_TEST_B]]);
    expect(vlan?.interfaces.map((i) => i.testAddresses)).toEqual([[env.LAB_VLAN_TEST_A], [env.LAB_VLAN_TEST_B]]);
    // ipmp0's data address is homed on NIC A, ipmp1's on VLAN B: one failure moves one address.
    expect(plain?.dataAddresses).toEqual([{ address: env.LAB_DATA, interface: 'eth1' }]);
    expect(vlan?.dataAddresses).toEqual([{ address: env.LAB_VLAN_DATA, interface: 'eth2.100' }]);
    expect(cfg.defaultRouters).toEqual([env.LAB_ROUTER_LAN?.split('/')[0], env.LAB_ROUTER_VLAN?.split('/')[0]]);
  });

  it('stays inside the documentation ranges', () => {
    const doc = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+(\/\d+)?$/;
    const all = [
      ...cfg.defaultRouters,
      ...cfg.groups.flatMap((g) => [...g.interfaces.flatMap((i) => i.testAddresses), ...g.dataAddresses.map((d) => d.address)]),
      ...Object.entries(env).filter(([k]) => /LAN|VLAN|TEST|DATA/.test(k) && k !== 'LAB_VLAN_ID').map(([, v]) => v),
    ];
    for (const a of all) expect(a).toMatch(doc);
  });

  it('refuses to render with a NIC name missing', () => {
    const { NIC_B: _dropped, ...rest } = NICS;
    const bad = render({ ...env, ...rest });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/no value for @NIC_B@/);
  });

  it('refuses values that are not addresses or interface names', () => {
    const bad = render({ ...env, ...NICS, NIC_A: 'eth1 }\ngroups: []' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/refusing odd value for @NIC_A@/);
  });
});
