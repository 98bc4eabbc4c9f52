// vagrant/scenarios.sh against a fake lab (fake-lab.sh standing in for vagrant, ssh and
// VBoxManage): the script's own logic — which NIC it pulls, what it waits for, how it counts
// and that it fails when ipmpd does not fail over. The real run needs VMs (docs/testing.md).
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoPath } from './repo.js';
import { Scratch } from './stubs.js';
import { run } from './tools.js';

let s: Scratch;
let state: string;
let repo: string;

beforeEach(() => {
  s = new Scratch();
  state = join(s.dir, 'state');
  repo = join(s.dir, 'repo');
  mkdirSync(state);
  cpSync(repoPath('vagrant'), join(repo, 'vagrant'), { recursive: true });
  for (const tool of ['vagrant', 'ssh', 'VBoxManage']) symlinkSync(repoPath('test/unit/packaging/fake-lab.sh'), join(s.bin, tool));
});
afterEach(() => { s.destroy(); });

function bringUp(): void {
  mkdirSync(join(repo, '.vagrant/machines/host/virtualbox'), { recursive: true });
  writeFileSync(join(repo, '.vagrant/machines/host/virtualbox/id'), 'vm-host');
}

// The fake lab acts at once, so each bounded wait gets a single try.
function scenarios(extra: Record<string, string> = {}) {
  const r = run('bash', [join(repo, 'vagrant/scenarios.sh')], {
    env: s.env({ FAKE_LAB: state, FAILOVER_TIMEOUT: '0', FAILBACK_TIMEOUT: '0', REACH_TIMEOUT: '0', STATE_TIMEOUT: '0', ...extra }),
  });
  const lines = r.stdout.split('\n');
  const calls = readFileSync(join(state, 'calls.log'), 'utf8').split('\n');
  return { ...r, lines, calls, fails: lines.filter((l) => l.startsWith('FAIL:')) };
}
const linkState = (nic: 'A' | 'B') => readFileSync(join(state, `link_${nic}`), 'utf8').trim();

describe('vagrant/scenarios.sh', () => {
  it('passes against a lab whose daemon fails over and back', () => {
    bringUp();
    const r = scenarios();
    expect(r.fails).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.lines.filter((l) => /^\d+ passed, 0 failed$/.test(l))).toHaveLength(1);
    const passed = Number(/^(\d+) passed/m.exec(r.stdout)?.[1]);
    expect(passed).toBeGreaterThanOrEqual(30);
    for (const what of ['failover: 192.0.2.100/24 on eth2', 'VLAN failover: 198.51.100.100/24 on eth1.100',
      'failback: 192.0.2.100/24 on eth1', 'VLAN failback: 198.51.100.100/24 on eth2.100', 'offline: 192.0.2.100/24 on eth2',
      'reload kept MainPID 4242', 'stopped cleanly']) {
      expect(r.stdout).toContain(`PASS: ${what}`);
    }
    // NIC A is adapter 2, NIC B adapter 3 (adapter 1 is Vagrant's NAT), each pulled and replugged.
    for (const call of ['setlinkstate2 off', 'setlinkstate2 on', 'setlinkstate3 off', 'setlinkstate3 on']) {
      expect(r.calls).toContain(`VBoxManage controlvm vm-host ${call}`);
    }
  }, 60_000);

  it('fails, and plugs the cables back in, when addresses do not move', () => {
    bringUp();
    const r = scenarios({ FAKE_BROKEN: 'nofailover' });
    expect(r.status).toBe(1);
    expect(r.fails.some((l) => l.startsWith('FAIL: failover: 192.0.2.100/24 expected on eth2'))).toBe(true);
    expect(r.fails.some((l) => l.startsWith('FAIL: VLAN failover: 198.51.100.100/24 expected on eth1.100'))).toBe(true);
    expect(r.stdout).toMatch(/^\d+ passed, [1-9]\d* failed$/m);
    expect([linkState('A'), linkState('B')]).toEqual(['up', 'up']);
  }, 60_000);

  it('stops with a failure when no VM was brought up', () => {
    const r = scenarios();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL: no provider found under .vagrant/machines/host');
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });
});
