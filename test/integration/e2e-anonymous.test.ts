// TRACK_INTERFACES_ONLY_WITH_GROUPS=no on the real kernel: a NIC named outside any group is
// tracked (ipmpstat -i, GROUP --), its failure logged, and nothing fails over.
import { afterEach, describe, expect, it } from 'vitest';
import { addressesByNic, holder } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const CONFIG = `
mpathd: { trackInterfacesOnlyWithGroups: false }
groups:
  - name: g
    announce: { arpCount: 1, arpIntervalMs: 200 }
    interfaces: [{ name: eth0 }, { name: eth1 }]
    dataAddresses: [{ address: 192.0.2.100/24, interface: eth0 }]
anonymous:
  - { name: eth2 }
`;

async function row(s: Scenario, ifname: string): Promise<string | undefined> {
  const r = await s.d.cli('ipmpstat', ['-i', '-n']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').find((l) => l.startsWith(`${ifname} `))?.trim().split(/\s+/).join(' ');
}

describe.runIf(enabled)('e2e: anonymous group (trackInterfacesOnlyWithGroups: false)', () => {
  let s: Scenario | undefined;
  afterEach(async () => { await s?.close(); s = undefined; });

  it('a NIC in no group is tracked and reported with GROUP --; its failure moves nothing', async () => {
    s = await startScenario({ nics: 3, config: CONFIG });
    const h = s.t.host;
    await until(() => holder(h, '192.0.2.100').join() === 'eth0', 5000, 'data address on eth0');
    expect(await row(s, 'eth2')).toBe('eth2 yes -- ------- up disabled ok');
    expect((await s.d.cli('ipmpstat', ['-g', '-P', '-o', 'group'])).stdout).toBe('g\n');

    s.t.cutCarrier(2);
    await until(() => s!.d.logsMatching(/^NIC failure detected on eth2$/).length > 0, 5000, 'eth2 failure logged');
    expect(await row(s, 'eth2')).toBe('eth2 no -- ------- down disabled failed');
    expect(holder(h, '192.0.2.100')).toEqual(['eth0']);
    expect([...addressesByNic(h)].filter(([, nics]) => nics.includes('eth2')).map(([a]) => a).filter((a) => !a.startsWith('fe80'))).toEqual([]);
    expect((await s.d.cli('if_mpadm', ['-d', 'eth2'])).stderr).toBe('if_mpadm: fatal: cannot offline eth2: not a physical interface or not in an IPMP group\n');

    s.t.restoreCarrier(2);
    await until(() => s!.d.logsMatching(/^NIC repair detected on eth2$/).length > 0, 5000, 'eth2 repair logged');
  });
});
