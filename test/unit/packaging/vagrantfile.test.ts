// Vagrantfile: Vagrant's own validation, and the lab topology read back through a recording
// stand-in for Vagrant (vagrantfile-dump.rb), since no provider can run here.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labEnv, repoPath, REPO, withoutPrefix } from './repo.js';
import { hasTool, needTool, run } from './tools.js';

interface Rec { attrs: Record<string, unknown>; calls: Call[]; children: Record<string, Rec> }
interface Call { method: string; args: unknown[]; opts: Record<string, unknown>; block: Rec | null }

const calls = (rec: Rec | undefined, method: string): Call[] => (rec?.calls ?? []).filter((c) => c.method === method);

describe('vagrant validate', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ipmpdt-vagrant-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // Dot-folder and home in a scratch directory: validation must leave the work tree alone.
  // vagrant (Ruby) takes 2–8 s to start on a busy 2-core machine.
  const VALIDATE_TIMEOUT_MS = 60_000;

  function validate(cwd: string): { status: number | null; output: string } {
    const r = run('vagrant', ['validate', '--ignore-provider'], {
      cwd,
      env: { ...process.env, VAGRANT_CWD: cwd, VAGRANT_DOTFILE_PATH: join(scratch, 'dot'), VAGRANT_HOME: join(scratch, 'home') },
    });
    return { status: r.status, output: r.stdout + r.stderr };
  }

  it('accepts the Vagrantfile', (ctx) => {
    needTool(ctx, 'vagrant', 'vagrant');
    const hadDotFolder = existsSync(repoPath('.vagrant'));
    const r = validate(REPO);
    expect(r.output).toContain('validated successfully');
    expect(r.status).toBe(0);
    expect(existsSync(repoPath('.vagrant'))).toBe(hadDotFolder);
  }, VALIDATE_TIMEOUT_MS);

  it('rejects it when a provisioning script is missing (the check can fail)', (ctx) => {
    needTool(ctx, 'vagrant', 'vagrant');
    const copy = join(scratch, 'copy');
    cpSync(repoPath('Vagrantfile'), join(copy, 'Vagrantfile'));
    cpSync(repoPath('vagrant/guest'), join(copy, 'vagrant/guest'), { recursive: true });
    const r = validate(copy);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/provision\.sh/);
  }, VALIDATE_TIMEOUT_MS);
});

describe('Vagrantfile topology', () => {
  let vm: Rec;
  const machines = new Map<string, Rec>();

  beforeAll(() => {
    // Syntax errors would surface here too; the recorder needs only ruby.
    if (!hasTool('ruby')) return;
    const r = run('ruby', [repoPath('test/unit/packaging/vagrantfile-dump.rb'), repoPath('Vagrantfile')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const configs = JSON.parse(r.stdout) as { version: string; config: Rec }[];
    expect(configs).toHaveLength(1);
    vm = (configs[0] as { config: Rec }).config.children.vm as Rec;
    for (const d of calls(vm, 'define')) machines.set(String(d.args[0]), d.block?.children.vm as Rec);
  });

  it('defines router, client and host on debian/bookworm64', (ctx) => {
    needTool(ctx, 'ruby', 'ruby');
    expect(vm.attrs.box).toBe('debian/bookworm64');
    expect([...machines.keys()]).toEqual(['router', 'client', 'host']);
  });

  it('puts one NIC of router and client and two of host on one segment, unconfigured', (ctx) => {
    needTool(ctx, 'ruby', 'ruby');
    const env = labEnv();
    const expected: Record<string, string[]> = {
      router: [withoutPrefix(env.LAB_ROUTER_LAN as string)],
      client: [withoutPrefix(env.LAB_CLIENT_LAN as string)],
      host: [withoutPrefix(env.LAB_TEST_A as string), withoutPrefix(env.LAB_TEST_B as string)],
    };
    const segments = new Set<string>();
    for (const [name, m] of machines) {
      const nets = calls(m, 'network');
      expect(nets.map((n) => n.args[0])).toEqual(nets.map(() => 'private_network'));
      expect(nets.map((n) => n.opts.ip)).toEqual(expected[name]);
      for (const n of nets) {
        expect(n.opts.auto_config).toBe(false);
        expect(n.opts.libvirt__network_name).toBe(n.opts.virtualbox__intnet);
        expect(n.opts.libvirt__dhcp_enabled).toBe(false);
        segments.add(String(n.opts.virtualbox__intnet));
      }
    }
    expect(segments.size).toBe(1);
  });

  it('provisions every VM with the guest tools and provision.sh ROLE', (ctx) => {
    needTool(ctx, 'ruby', 'ruby');
    for (const [name, m] of machines) {
      const prov = calls(m, 'provision');
      expect(prov.map((p) => p.opts.type)).toEqual(['shell', 'file', 'shell']);
      const [clean, files, lab] = prov as [Call, Call, Call];
      expect(clean.opts.inline).toContain(String(files.opts.destination));
      expect(existsSync(repoPath(String(files.opts.source)))).toBe(true);
      expect(lab.opts.path).toBe('vagrant/provision.sh');
      expect(lab.opts.args).toEqual([name]);
    }
  });

  it('rsyncs the repository, without build output, to the host only', (ctx) => {
    needTool(ctx, 'ruby', 'ruby');
    expect(calls(vm, 'synced_folder')[0]?.opts.disabled).toBe(true);
    const hostSync = calls(machines.get('host'), 'synced_folder');
    expect(hostSync).toHaveLength(1);
    expect(hostSync[0]?.args).toEqual(['.', '/vagrant']);
    expect(hostSync[0]?.opts.type).toBe('rsync');
    expect(hostSync[0]?.opts.rsync__exclude).toEqual(expect.arrayContaining(['node_modules/', 'build/', 'dist/', '.vagrant/']));
    expect(calls(machines.get('router'), 'synced_folder')).toHaveLength(0);
  });
});
