// Active/standby, FAILBACK=no, offline/undo (with the refusal), group failure and the first
// member to recover, flap damping; checked through ipmpstat and if_mpadm as an admin would.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonProcess } from '../helpers/daemon.js';
import { holder, ping } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { buildTopology, type Topology } from '../helpers/topology.js';
import { sleep, until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';

const config = (failback: boolean, nics = 2): string => `
mpathd: { failback: ${failback}, failureDetectionTime: 700 }
defaultRouters: [192.0.2.254]
groups:
  - name: ipmp0
    announce: { arpCount: 1, arpIntervalMs: 1000 }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, standby: true, testAddresses: [192.0.2.11/24] }
${nics > 2 ? '      - { name: eth2, testAddresses: [192.0.2.12/24] }\n' : ''}    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
`;

describe.runIf(enabled)('e2e: active/standby and administrative operations', () => {
  let t: Topology;
  let d: DaemonProcess;

  async function startWith(yaml: string, nics = 2): Promise<void> {
    t = buildTopology(nics);
    d = new DaemonProcess(t.host);
    d.writeConfig(yaml);
    await d.start();
    await d.probesSettled();
  }
  beforeEach(() => undefined);
  afterEach(async () => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    t?.destroy();
  });
  afterAll(() => undefined);

  it('the standby carries only its test address until the active NIC fails; failback returns the address', async () => {
    await startWith(config(true));
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    expect(holder(t.host, '192.0.2.11')).toEqual(['eth1']);
    const gi = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,active,flags,link,state', '-P']);
    expect(gi.code).toBe(0);
    expect(gi.stdout.split('\n')).toEqual(expect.arrayContaining(['eth0:yes:--mb---:up:ok', 'eth1:no:is-----:up:ok']));
    t.cutCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', 2000, 'address on the standby');
    expect(ping(t.client, DATA)).toBe(true);
    const g = await d.cli('ipmpstat', ['-g', '-n', '-o', 'group,state,interfaces', '-P']);
    expect(g.stdout.trim()).toBe('ipmp0:degraded:eth1 [eth0]');
    t.restoreCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth0', 4000, 'failback to eth0');
    const after = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,active', '-P']);
    expect(after.stdout).toContain('eth1:no');
  });

  it('FAILBACK=no: the repaired NIC becomes inactive and the address stays', async () => {
    await startWith(config(false, 3), 3);
    t.cutCarrier(0);
    await until(() => holder(t.host, DATA).length === 1 && holder(t.host, DATA)[0] !== 'eth0', 2000, 'failover');
    const where = holder(t.host, DATA)[0];
    t.restoreCarrier(0);
    await until(() => d.logsMatching(/repair detected on eth0/i).length > 0, 4000, 'repair logged');
    await sleep(300);
    expect(holder(t.host, DATA)).toEqual([where]);
    const i = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,active,state', '-P']);
    expect(i.stdout).toContain('eth0:no:ok');
  });

  it('if_mpadm -d moves the address away, refuses the last usable NIC, -r undoes', async () => {
    await startWith(config(true));
    let r = await d.cli('if_mpadm', ['-d', 'eth0']);
    expect(r.code).toBe(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', 2000, 'offline moved the address');
    r = await d.cli('if_mpadm', ['-d', 'eth1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('if_mpadm: fatal: cannot offline eth1: no other functioning interfaces are in its IPMP group\n');
    expect(holder(t.host, DATA)).toEqual(['eth1']);
    r = await d.cli('if_mpadm', ['-d', 'eth0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('if_mpadm: fatal: interface eth0 is already offline\n');
    // As in.mpathd: the offline NIC's test address goes down and it is no longer probed.
    await until(() => holder(t.host, '192.0.2.10').length === 0, 2000, 'test address down while offline');
    const i = await d.cli('ipmpstat', ['-i', '-n', '-o', 'interface,flags,probe,state', '-P']);
    expect(i.stdout).toMatch(/^eth0:-+d-*:disabled:offline$/m);
    r = await d.cli('if_mpadm', ['-r', 'eth0']);
    expect(r.code).toBe(0);
    await until(() => holder(t.host, DATA).join() === 'eth0', 2000, 'undo brought the address back');
    expect(holder(t.host, '192.0.2.10')).toEqual(['eth0']);
    r = await d.cli('if_mpadm', ['-r', 'eth0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('if_mpadm: fatal: interface eth0 is not offline\n');
  });

  it('group failure moves nothing; the first member to recover takes the addresses', async () => {
    await startWith(config(true));
    t.cutCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', 2000, 'failover to eth1');
    t.cutCarrier(1);
    await until(() => d.logsMatching(/have failed|are now unusable/i).length > 0, 2000, 'group failure logged');
    await sleep(200);
    expect(holder(t.host, DATA)).toEqual(['eth1']); // nothing moved, nothing deleted
    const g = await d.cli('ipmpstat', ['-g', '-n', '-o', 'group,state', '-P']);
    expect(g.stdout.trim()).toBe('ipmp0:failed');
    const a = await d.cli('ipmpstat', ['-a', '-n', '-o', 'address,inbound', '-P']);
    expect(a.stdout.trim()).toBe(`${DATA}:`);
    t.restoreCarrier(0);
    await d.waitFor(() => holder(t.host, DATA).join() === 'eth0', 4000, () => `first to recover (eth0) did not take the address: ${JSON.stringify(d.logs.filter((l) => l.component === "probe" || l.level >= 30).slice(-25).map((l) => `${l.msg} ${l.ifname ?? ""}`))}`);
    expect(ping(t.client, DATA)).toBe(true);
  });

  it('flap damping: a third link-up within a minute defers link-based repair', async () => {
    // Flap damping guards repair by link state alone: members without test addresses.
    await startWith(config(true).replace(/, testAddresses: \[[^\]]*\]/g, ''));
    for (let i = 0; i < 3; i++) {
      t.cutCarrier(0);
      await until(() => holder(t.host, DATA).join() === 'eth1', 2000, `failover ${i + 1}`);
      t.restoreCarrier(0);
      if (i < 2) await until(() => holder(t.host, DATA).join() === 'eth0', 3000, `failback ${i + 1}`);
    }
    await until(() => d.logsMatching(/more than 2 times in the last minute/).length > 0, 2000, 'flap message');
    await sleep(1500);
    expect(holder(t.host, DATA)).toEqual(['eth1']);
  });
});
