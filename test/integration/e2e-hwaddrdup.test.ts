// Duplicate hardware addresses in a group, on the real kernel: an operator gives eth1 eth0's
// MAC (`ip link set eth1 address ...`); ipmpd offlines eth1 as Solaris 11 in.mpathd does
// (FLAGS h, its data address moves away, if_mpadm -r refused) and brings it back once the MAC
// is unique again.
import { afterEach, describe, expect, it } from 'vitest';
import { holder, macOf } from '../helpers/host-state.js';
import { ip, requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();

const CONFIG = `
groups:
  - name: g
    announce: { arpCount: 1, arpIntervalMs: 200 }
    interfaces: [{ name: eth0 }, { name: eth1 }, { name: eth2 }]
    dataAddresses:
      - { address: 192.0.2.100/24, interface: eth0 }
      - { address: 192.0.2.101/24, interface: eth1 }
`;

interface Row { interface: string; flags: string; state: string }

async function rows(s: Scenario): Promise<Row[]> {
  const r = await s.d.cli('ipmpstat', ['-i', '-P', '-o', 'interface,flags,state']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => {
    const [iface = '', flags = '', state = ''] = l.split(':');
    return { interface: iface, flags, state };
  });
}

describe.runIf(enabled)('e2e: duplicate hardware address in a group', () => {
  let s: Scenario | undefined;
  afterEach(async () => { await s?.close(); s = undefined; });

  it('the NIC given another member\'s MAC is offlined (FLAGS h) and onlined when its MAC differs again', async () => {
    s = await startScenario({ nics: 3, config: CONFIG });
    const h = s.t.host;
    await until(() => holder(h, '192.0.2.101').includes('eth1'), 5000, '192.0.2.101 on eth1');
    const own = macOf(h, 'eth1');

    ip(h, 'link', 'set', 'dev', 'eth1', 'address', macOf(h, 'eth0'));
    await until(() => s!.d.logsMatching(/IP interface eth1 has a hardware address which is not unique in group g; offlining/).length > 0, 5000, 'offlining logged');
    await until(() => !holder(h, '192.0.2.101').includes('eth1') && holder(h, '192.0.2.101').length === 1, 5000, '192.0.2.101 left eth1');
    expect((await rows(s)).find((r) => r.interface === 'eth1')).toEqual({ interface: 'eth1', flags: '------h', state: 'offline' });
    const j = JSON.parse((await s.d.cli('ipmpstat', ['-i', '-j'])).stdout) as { interfaces: { interface: string; flags: { hwaddrdup: boolean } }[] };
    expect(j.interfaces.find((i) => i.interface === 'eth1')?.flags.hwaddrdup).toBe(true);

    const undo = await s.d.cli('if_mpadm', ['-r', 'eth1']);
    expect(undo).toMatchObject({ code: 1, stderr: 'if_mpadm: fatal: cannot undo-offline eth1: interface has duplicate hardware address\n' });

    ip(h, 'link', 'set', 'dev', 'eth1', 'address', own);
    await until(() => s!.d.logsMatching(/IP interface eth1 now has a unique hardware address in group g; onlining/).length > 0, 5000, 'onlining logged');
    await until(() => holder(h, '192.0.2.101').join() === 'eth1', 5000, '192.0.2.101 back on eth1');
    expect((await rows(s)).find((r) => r.interface === 'eth1')?.flags).not.toContain('h');
    expect((await rows(s)).find((r) => r.interface === 'eth1')?.state).toBe('ok');
  });
});
