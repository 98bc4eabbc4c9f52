// The Vagrant lab's shell tools, run here against stand-in commands and a fake sysfs:
// syntax/lint, NIC discovery, address lookup and hypervisor link control.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoPath } from './repo.js';
import { Scratch } from './stubs.js';
import { needTool, run } from './tools.js';

const SCRIPTS = [
  'vagrant/scenarios.sh', 'vagrant/link-control.sh', 'vagrant/provision.sh', 'test/unit/packaging/fake-lab.sh',
  // The QEMU lab's image builder and guest agent (test/vm/).
  'test/vm/build-image.sh', 'test/vm/guest/lab-agent',
  ...readdirSync(repoPath('vagrant/guest'))
    .filter((f) => !f.includes('.'))   // the executables; lab.env, *.service, *.tmpl are data
    .map((f) => `vagrant/guest/${f}`),
];

let s: Scratch;
beforeEach(() => { s = new Scratch(); });
afterEach(() => { s.destroy(); });

describe('lab scripts: syntax', () => {
  it('finds the guest tools', () => {
    expect(SCRIPTS).toEqual(expect.arrayContaining([
      'vagrant/guest/ipmpd-lab-net', 'vagrant/guest/ipmpd-lab-nics', 'vagrant/guest/ipmpd-lab-addr-owner',
      'vagrant/guest/render-config', 'vagrant/guest/install-node',
    ]));
  });

  it.each(SCRIPTS)('%s parses (bash -n)', (script) => {
    const r = run('bash', ['-n', repoPath(script)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('passes shellcheck', (ctx) => {
    needTool(ctx, 'shellcheck', 'shellcheck');
    const r = run('shellcheck', ['-x', ...SCRIPTS], { cwd: repoPath('vagrant/..') });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('ipmpd-lab-nics', () => {
  // /sys/class/net/X/device links to the PCI (or virtio-under-PCI) device; virtual links have none.
  function fakeSysfs(nics: Record<string, string | null>): string {
    const net = join(s.dir, 'class/net');
    for (const [name, pci] of Object.entries(nics)) {
      mkdirSync(join(net, name), { recursive: true });
      if (pci === null) continue;
      const dev = join(s.dir, 'devices/pci0000:00', pci);
      mkdirSync(dev, { recursive: true });
      symlinkSync(dev, join(net, name, 'device'));
    }
    return net;
  }
  const nics = (net: string) => run(repoPath('vagrant/guest/ipmpd-lab-nics'), [], { env: { ...process.env, SYSFS_NET: net } });

  it('lists LAN NICs in PCI order, leaving out the management NIC and virtual links', () => {
    const net = fakeSysfs({
      lo: null, 'ens10.100': null,
      ens3: '0000:00:03.0/virtio0', ens10: '0000:00:0a.0/virtio2', ens9: '0000:00:09.0/virtio1',
    });
    const r = nics(net);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ens9\nens10\n');
  });

  it('names the management NIC by slot, not by name', () => {
    const r = nics(fakeSysfs({ eth2: '0000:00:03.0', eth0: '0000:00:08.0', eth1: '0000:00:09.0' }));
    expect(r.stdout).toBe('eth0\neth1\n');
  });

  it('fails when there is no LAN NIC', () => {
    const r = nics(fakeSysfs({ lo: null, eth0: '0000:00:03.0' }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/found 1 physical NIC/);
  });
});

describe('ipmpd-lab-addr-owner', () => {
  const links = [
    { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
    { ifname: 'eth1', addr_info: [{ family: 'inet', local: '192.0.2.11', prefixlen: 24 }, { family: 'inet', local: '192.0.2.100', prefixlen: 24 }] },
    { ifname: 'eth2', addr_info: [{ family: 'inet', local: '192.0.2.12', prefixlen: 24 }, { family: 'inet6', local: '2001:db8::12', prefixlen: 64 }] },
    { ifname: 'eth2.100', addr_info: [{ family: 'inet', local: '198.51.100.100', prefixlen: 24 }, { family: 'inet', local: '192.0.2.12', prefixlen: 24 }] },
    { ifname: 'eth3' },
  ];

  it.each([
    ['192.0.2.100/24', 'eth1'],
    ['192.0.2.100', 'eth1'],
    ['198.51.100.100/24', 'eth2.100'],
    ['2001:db8::12/64', 'eth2'],
    ['192.0.2.12/24', 'eth2 eth2.100'],
    ['203.0.113.1/24', ''],
  ])('%s is on "%s"', (address, owners) => {
    writeFileSync(join(s.dir, 'addr.json'), JSON.stringify(links));
    s.stub('ip', `[[ "$*" == "-j addr show" ]] || { echo "unexpected: ip $*" >&2; exit 9; }\ncat "${join(s.dir, 'addr.json')}"`);
    const r = run(repoPath('vagrant/guest/ipmpd-lab-addr-owner'), [address], { env: s.env() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${owners}\n`);
  });

  it('fails when ip fails', () => {
    s.stub('ip', 'exit 1');
    expect(run(repoPath('vagrant/guest/ipmpd-lab-addr-owner'), ['192.0.2.1'], { env: s.env() }).status).not.toBe(0);
  });
});

describe('link-control.sh', () => {
  const VBOX_INFO = [
    'name="ipmpd_host_1700000000"', 'nic1="nat"', 'macaddress1="080027AAAAAA"',
    'nic2="intnet"', 'macaddress2="080027A1B2C3"', 'nic3="intnet"', 'macaddress3="080027D4E5F6"',
  ].join('\n');

  function control(call: string, extra: Record<string, string> = {}) {
    s.stub('VBoxManage', `echo "VBoxManage $*" >> "$STUB_LOG"\nif [[ "$1" == showvminfo ]]; then cat <<'INFO'\n${VBOX_INFO}\nINFO\nfi`);
    s.stub('virsh', 'echo "virsh $*" >> "$STUB_LOG"');
    const r = run('bash', ['-c', `set -u; source ${repoPath('vagrant/link-control.sh')}; ${call}`], { cwd: s.dir, env: s.env(extra) });
    return { ...r, calls: readFileSync(s.log, 'utf8').trim().split('\n').filter(Boolean) };
  }

  it.each([
    ['08:00:27:d4:e5:f6', 'down', 'VBoxManage controlvm vm-1 setlinkstate3 off'],
    ['08:00:27:A1:B2:C3', 'up', 'VBoxManage controlvm vm-1 setlinkstate2 on'],
  ])('VirtualBox: %s %s -> %s', (mac, state, expected) => {
    const r = control(`lab_set_link virtualbox vm-1 ${mac} ${state}`);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['VBoxManage showvminfo vm-1 --machinereadable', expected]);
  });

  it('VirtualBox: an unknown MAC touches no adapter', () => {
    const r = control('lab_set_link virtualbox vm-1 08:00:27:00:00:01 down');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no adapter with MAC/);
    expect(r.calls.filter((c) => c.includes('controlvm'))).toEqual([]);
  });

  it('libvirt: domif-setlink on the system instance by default, LIBVIRT_DEFAULT_URI honoured', () => {
    expect(control('lab_set_link libvirt dom-1 52:54:00:12:34:56 down').calls)
      .toEqual(['virsh -c qemu:///system domif-setlink dom-1 52:54:00:12:34:56 down']);
  });

  it('libvirt: honours LIBVIRT_DEFAULT_URI', () => {
    expect(control('lab_set_link libvirt dom-1 52:54:00:12:34:56 up', { LIBVIRT_DEFAULT_URI: 'qemu+ssh://hv/system' }).calls)
      .toEqual(['virsh -c qemu+ssh://hv/system domif-setlink dom-1 52:54:00:12:34:56 up']);
  });

  it.each([
    ['virtualbox vm-1 08:00:27:d4:e5:f6 sideways', /up\|down/],
    ['hyperv vm-1 08:00:27:d4:e5:f6 down', /unsupported provider/],
  ])('rejects %s', (args, message) => {
    const r = control(`lab_set_link ${args}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.calls).toEqual([]);
  });

  it('lab_provider and lab_machine_id read Vagrant\'s machine folder', () => {
    mkdirSync(join(s.dir, '.vagrant/machines/host/libvirt'), { recursive: true });
    writeFileSync(join(s.dir, '.vagrant/machines/host/libvirt/id'), 'c0ffee-uuid');
    const r = control('echo "$(lab_provider) $(lab_machine_id host "$(lab_provider)")"');
    expect(r.stdout).toBe('libvirt c0ffee-uuid\n');
  });

  it('lab_provider fails when no VM was brought up', () => {
    const r = control('lab_provider');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot tell the provider/);
  });
});
