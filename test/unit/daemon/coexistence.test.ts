// Which members NetworkManager or systemd-networkd also manage: parsers, verdicts, and the
// detection against fixture state files and a stand-in nmcli.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CoexistenceSources, DEFAULT_SOURCES, detectManagedMembers, handOver, networkdVerdict, nmVerdict,
  parseNetworkdLinkState, parseNmcliDevices, sourcesFromEnv, warningText,
} from '../../../src/daemon/coexistence.js';

const fixtures = fileURLToPath(new URL('../../fixtures/coexistence/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-coexist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = join(tmp, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const src = (over: Partial<CoexistenceSources>): CoexistenceSources => ({
  networkdLinksDir: join(fixtures, 'netif-links'), nmcli: join(fixtures, 'nmcli'), onlyInInitNetns: false, timeoutMs: 5000, ...over,
});
const members = [{ ifname: 'eth0', ifindex: 2 }, { ifname: 'eth1', ifindex: 3 }, { ifname: 'eth2', ifindex: 4 }, { ifname: 'eth3', ifindex: 5 }];

describe('systemd-networkd link state', () => {
  it.each([
    ['ADMIN_STATE=configured\nNETWORK_FILE=/etc/systemd/network/a.network\n', 'ADMIN_STATE=configured, /etc/systemd/network/a.network'],
    ['ADMIN_STATE=configuring\n', 'ADMIN_STATE=configuring'],
    ['ADMIN_STATE=failed\nNETWORK_FILE=/x.network', 'ADMIN_STATE=failed, /x.network'],
    ['ADMIN_STATE=unmanaged\n', null],
    ['ADMIN_STATE=pending\n', null],
    ['ADMIN_STATE=linger\n', null],
    ['# This is private data. Do not parse.\nOPER_STATE=routable\n', null],
    ['', null],
  ])('%j → %j', (text, verdict) => {
    expect(networkdVerdict(parseNetworkdLinkState(text))).toBe(verdict);
  });
});

describe('nmcli -t -f DEVICE,STATE device', () => {
  it('reads names (with \\: escapes) and states', () => {
    const m = parseNmcliDevices('eth0:connected\nbr\\:x:unmanaged\nlo:connected (externally)\n\nbogus\n');
    expect([...m]).toEqual([['eth0', 'connected'], ['br:x', 'unmanaged'], ['lo', 'connected (externally)']]);
  });

  it.each([
    ['connected', 'state connected'], ['disconnected', 'state disconnected'], ['unavailable', 'state unavailable'],
    ['connecting (getting IP configuration)', 'state connecting (getting IP configuration)'], ['unmanaged', null], [undefined, null],
  ])('%s → %j', (state, verdict) => {
    expect(nmVerdict(state)).toBe(verdict);
  });
});

describe('detectManagedMembers', () => {
  it('reports every member networkd configures and every member NetworkManager does not leave unmanaged', async () => {
    const found = await detectManagedMembers(members, src({}));
    expect(found).toEqual([
      { ifname: 'eth0', manager: 'systemd-networkd', evidence: 'ADMIN_STATE=configured, /etc/systemd/network/20-wired.network' },
      { ifname: 'eth2', manager: 'systemd-networkd', evidence: 'ADMIN_STATE=configuring, /etc/systemd/network/30-backup.network' },
      { ifname: 'eth0', manager: 'NetworkManager', evidence: 'state connected' },
      { ifname: 'eth2', manager: 'NetworkManager', evidence: 'state disconnected' },
    ]);
  });

  it('says nothing when neither manager is there', async () => {
    const found = await detectManagedMembers(members, src({ networkdLinksDir: join(tmp, 'absent'), nmcli: join(tmp, 'no-such-nmcli') }));
    expect(found).toEqual([]);
  });

  it('treats nmcli failing (NetworkManager not running) as no NetworkManager', async () => {
    const nmcli = script('nmcli-down', 'echo "Error: NetworkManager is not running." >&2; exit 8');
    const found = await detectManagedMembers(members, src({ nmcli }));
    expect(found.map((f) => f.manager)).toEqual(['systemd-networkd', 'systemd-networkd']);
  });

  it('gives up on an nmcli that hangs, and still reports networkd', async () => {
    const nmcli = script('nmcli-hang', 'exec sleep 30');
    const found = await detectManagedMembers(members, src({ nmcli, timeoutMs: 300 }));
    expect(found.map((f) => `${f.manager} ${f.ifname}`)).toEqual(['systemd-networkd eth0', 'systemd-networkd eth2']);
  });

  it('looks at nothing for an empty member list', async () => {
    const nmcli = script('nmcli-marker', `touch ${join(tmp, 'ran')}; exit 0`);
    expect(await detectManagedMembers([], src({ nmcli }))).toEqual([]);
    expect(existsSync(join(tmp, 'ran'))).toBe(false);
  });
});

describe('the warning', () => {
  it('names the member, the manager, the evidence and the exact hand-over', () => {
    const nm = warningText({ ifname: 'eth0', manager: 'NetworkManager', evidence: 'state connected' });
    expect(nm).toMatch(/^eth0: managed by NetworkManager \(state connected\)/);
    expect(nm).toContain('unmanaged-devices=interface-name:eth0');
    expect(nm).toContain('docs/migrating.md');
    const nd = handOver({ ifname: 'eth1', manager: 'systemd-networkd', evidence: 'ADMIN_STATE=configured' });
    expect(nd).toContain('Name=eth1');
    expect(nd).toContain('Unmanaged=yes');
    expect(nd).toContain('ManageForeignRoutes=no');
  });
});

describe('sourcesFromEnv', () => {
  it('defaults to the real paths, guarded to the host namespace', () => {
    expect(sourcesFromEnv({})).toEqual(DEFAULT_SOURCES);
    expect(DEFAULT_SOURCES.networkdLinksDir).toBe('/run/systemd/netif/links');
  });

  it('an override points the detection elsewhere and drops the namespace guard', () => {
    expect(sourcesFromEnv({ IPMPD_NETWORKD_LINKS_DIR: '/fx' })).toMatchObject({ networkdLinksDir: '/fx', nmcli: 'nmcli', onlyInInitNetns: false });
    expect(sourcesFromEnv({ IPMPD_NMCLI: '/bin/nm' })).toMatchObject({ nmcli: '/bin/nm', onlyInInitNetns: false });
  });
});
