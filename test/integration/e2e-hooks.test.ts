// Hooks and the event stream end to end: a carrier cut on the data address's NIC runs the
// configured hook with IPMP_EVENT=failover and the right NICs and addresses, and
// `ipmpctl monitor -j` (root socket) streams the same failover.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type DaemonProcess } from '../helpers/daemon.js';
import { holder } from '../helpers/host-state.js';
import { requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import type { Topology } from '../helpers/topology.js';
import { until } from '../helpers/wire.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';
const dir = mkdtempSync(join(tmpdir(), 'ipmpd-e2e-hooks-'));
const HOOK = join(dir, 'hook.sh');
const OUT = join(dir, 'events');

// Each run leaves one file per event: the hook's IPMP_* environment, written atomically.
writeFileSync(HOOK, `#!/bin/sh\nenv | grep '^IPMP_' | sort > ${OUT}.tmp.$$ && mv ${OUT}.tmp.$$ ${OUT}.$IPMP_EVENT.$$\n`);
chmodSync(HOOK, 0o755);

const CONFIG = `
mpathd:
  failureDetectionTime: 700
  failback: true
groups:
  - name: g0
    interfaces:
      - { name: eth0 }
      - { name: eth1 }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
hooks:
  - { exec: ${HOOK}, events: [failover, failback], timeoutMs: 5000 }
`;

function hookRuns(event: string): Array<Record<string, string>> {
  return readdirSync(dir).filter((f) => f.startsWith(`events.${event}.`)).map((f) =>
    Object.fromEntries(readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])));
}

describe.runIf(enabled)('e2e: hooks and ipmpctl monitor', () => {
  let s: Scenario;
  let t: Topology;
  let d: DaemonProcess;
  let mon: ChildProcess | undefined;
  let monOut = '';
  let monErr = '';

  beforeAll(async () => {
    s = await startScenario({ config: CONFIG });
    ({ t, d } = s);
    // Same namespace and socket as the daemon (DaemonProcess.cli's way, kept running here).
    mon = spawn('ip', ['netns', 'exec', t.host, process.execPath, BIN('ipmpctl'), 'monitor', '-j'], {
      env: { ...process.env, IPMPD_SOCKET: d.socketPath },
    });
    mon.stdout!.setEncoding('utf8').on('data', (c: string) => { monOut += c; });
    mon.stderr!.setEncoding('utf8').on('data', (c: string) => { monErr += c; });
    // Events are not replayed: the monitor must be listening before the carrier is cut.
    await until(() => d.logsMatching(/monitor client subscribed/).length === 1, 10_000, `monitor subscribed (stderr: ${monErr})`);
  });
  afterAll(async () => {
    mon?.kill('SIGTERM');
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a carrier cut runs the failover hook with the failed NIC, the peer and the moved address', async () => {
    expect(holder(t.host, DATA)).toEqual(['eth0']);
    t.cutCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth1', 2000, `${DATA} on eth1`);
    await until(() => hookRuns('failover').length === 1, 5000, 'the failover hook ran');
    expect(hookRuns('failover')[0]).toEqual({
      IPMP_EVENT: 'failover', IPMP_GROUP: 'g0', IPMP_INTERFACE: 'eth0', IPMP_PEER: 'eth1',
      IPMP_ADDRESSES: `${DATA}/24`, IPMP_STATE: 'failed', IPMP_TIME: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await until(() => d.logsMatching(/^hook .* ran for failover$/).length === 1, 2000, 'hook run logged');
  });

  it('ipmpctl monitor -j streamed the failover as one JSON line', async () => {
    await until(() => monOut.split('\n').some((l) => l.includes('"failover"')), 2000, 'failover on the monitor stream');
    const events = monOut.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e.event === 'failover')).toMatchObject({ group: 'g0', interface: 'eth0', peer: 'eth1', addresses: [`${DATA}/24`] });
    expect(events.find((e) => e.event === 'interface-failed')).toMatchObject({ interface: 'eth0', state: 'failed' });
  });

  it('repair runs the failback hook naming the repaired NIC', async () => {
    t.restoreCarrier(0);
    await until(() => holder(t.host, DATA).join() === 'eth0', 15_000, `${DATA} back on eth0`);
    await until(() => hookRuns('failback').length === 1, 5000, 'the failback hook ran');
    expect(hookRuns('failback')[0]).toMatchObject({ IPMP_EVENT: 'failback', IPMP_INTERFACE: 'eth0', IPMP_PEER: 'eth1', IPMP_ADDRESSES: `${DATA}/24` });
    expect(existsSync(HOOK)).toBe(true);
  });
});
