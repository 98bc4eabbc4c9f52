// Coexistence warnings end to end: with systemd-networkd's link state (a fixture directory
// named by the members' real ifindexes) saying it configures eth0 and a stand-in nmcli saying
// NetworkManager has eth1, the daemon reaches READY, places its addresses, and then logs
// exactly one warning per managed member naming the manager and the hand-over.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holder } from '../helpers/host-state.js';
import { ipJson, requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const dir = mkdtempSync(join(tmpdir(), 'ipmpd-e2e-coexist-'));
const LINKS = join(dir, 'links');
const NMCLI = join(dir, 'nmcli');
mkdirSync(LINKS);
writeFileSync(NMCLI, '#!/bin/sh\nprintf "eth0:unmanaged\\neth1:connected\\nlo:unmanaged\\n"\n');
chmodSync(NMCLI, 0o755);

const CONFIG = `
groups:
  - name: g0
    interfaces:
      - { name: eth0 }
      - { name: eth1 }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
`;

describe.runIf(enabled)('e2e: warnings about other network managers', () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await startScenario({
      config: CONFIG,
      env: { IPMPD_NETWORKD_LINKS_DIR: LINKS, IPMPD_NMCLI: NMCLI },
      prepare: (t) => {
        const index = (name: string): number => ipJson<{ ifindex: number }[]>(t.host, 'link', 'show', name)[0]!.ifindex;
        writeFileSync(join(LINKS, String(index('eth0'))), 'ADMIN_STATE=configured\nNETWORK_FILE=/etc/systemd/network/20-wired.network\n');
        writeFileSync(join(LINKS, String(index('eth1'))), 'ADMIN_STATE=unmanaged\n');
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts and places addresses as usual, then warns once per managed member, after READY', async () => {
    const { d, t } = s;
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    await until(() => d.logsMatching(/: managed by /).length === 2, 5000, 'two coexistence warnings');
    const warnings = d.logsMatching(/: managed by /);
    expect(warnings.map((w) => [w.ifname, w.manager, w.level])).toEqual(expect.arrayContaining([
      ['eth0', 'systemd-networkd', 40], ['eth1', 'NetworkManager', 40],
    ]));
    const nd = warnings.find((w) => w.manager === 'systemd-networkd')!;
    expect(nd.msg).toContain('ADMIN_STATE=configured, /etc/systemd/network/20-wired.network');
    expect(nd.msg).toContain('Unmanaged=yes');
    expect(warnings.find((w) => w.manager === 'NetworkManager')!.msg).toContain('unmanaged-devices=interface-name:eth1');
    const ready = d.logs.findIndex((l) => l.msg === 'ipmpd ready');
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(d.logs.indexOf(nd)).toBeGreaterThan(ready);
    // No more than one each, even after a while (an invariant check has no business repeating them).
    await new Promise((r) => setTimeout(r, 300));
    expect(d.logsMatching(/: managed by /)).toHaveLength(2);
  });
});
