// The VM lab: Debian guests under QEMU on taps in a bridge, all inside a network namespace
// made for the run (never in the machine's own). The host drives faults through the QEMU
// monitor (set_link = cable pull) and the taps (tap down = black hole with carrier up), and
// runs commands in the guests through their agent (test/vm/guest/lab-agent, virtio-serial).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteNamespace, ip, NS_PREFIX, sh } from './netns.js';

/** The repository root, found from this file both as test/helpers/vm.ts and as dist/test/helpers/vm.js. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'test', 'vm'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('vm lab: repository root (package.json + test/vm) not found');
    dir = up;
  }
  return dir;
}

export interface LabImage { dir: string; kernel: string; initrd: string; rootfs: string }

/** Builds the guest image if its cache key has none yet (test/vm/build-image.sh) and returns it. */
export async function ensureImage(log: (s: string) => void = () => {}): Promise<LabImage> {
  const script = join(repoRoot(), 'test', 'vm', 'build-image.sh');
  const dir = await new Promise<string>((resolve, reject) => {
    const p = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      log(d.toString().trimEnd());
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(out.trim().split('\n').pop() ?? '') : reject(new Error(`build-image.sh exited ${code}:\n${err}`)),
    );
  });
  return { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), rootfs: join(dir, 'rootfs.ext4') };
}

/** What the machine can boot: TCG always; KVM only if asked for or if the CPU shows vmx/svm and /dev/kvm exists. */
export function chooseAccel(): 'kvm' | 'tcg' {
  const want = process.env.IPMPD_LAB_ACCEL;
  if (want === 'kvm' || want === 'tcg') return want;
  if (!existsSync('/dev/kvm')) return 'tcg';
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  // PVM-style software KVM shows /dev/kvm without vmx/svm and cannot boot a stock kernel.
  return /\b(vmx|svm)\b/.test(flags) ? 'kvm' : 'tcg';
}

/** Why the lab cannot run here, or undefined if it can. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const t of ['qemu-system-x86_64', 'debootstrap', 'mkfs.ext4', 'setpriv', 'tcpdump']) {
    try {
      sh('sh', ['-c', `command -v ${t}`]);
    } catch {
      return `${t} missing (apt-get install qemu-system-x86 qemu-utils debootstrap ipxe-qemu seabios e2fsprogs tcpdump)`;
    }
  }
  return undefined;
}

export interface ExecResult { rc: number; out: string }

/** One line-framed connection to a guest's agent. Replies may arrive out of order (commands run concurrently). */
class Agent {
  private buf = '';
  private next = 1;
  private readonly pending = new Map<number, (r: ExecResult) => void>();
  constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const m = /^(\d+) (\d+) ?(\S*)$/.exec(line);
        if (!m) continue; // READY and anything else the guest prints first
        const done = this.pending.get(Number(m[1]));
        this.pending.delete(Number(m[1]));
        done?.({ rc: Number(m[2]), out: Buffer.from(m[3] ?? '', 'base64').toString('utf8') });
      }
    });
    // A guest that dies (panic, QEMU killed) fails every waiting command at once.
    sock.on('close', () => {
      for (const [id, done] of this.pending) done({ rc: -1, out: `agent connection closed (guest gone?) before command ${id} ended` });
      this.pending.clear();
      this.closed = true;
    });
  }
  private closed = false;
  exec(script: string, timeoutMs: number): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new Error('agent connection closed (guest gone?)'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`guest command timed out after ${timeoutMs} ms: ${script.slice(0, 200)}`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.sock.write(`${id} ${Buffer.from(script).toString('base64')}\n`);
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

/** The QEMU human monitor on a unix socket: one command at a time, answers end at the prompt. */
class Monitor {
  private buf = '';
  private chain: Promise<unknown> = Promise.resolve();
  private waiter: (() => void) | undefined;
  constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      if (this.buf.includes('(qemu) ')) this.waiter?.();
    });
  }
  private async prompt(): Promise<string> {
    if (!this.buf.includes('(qemu) ')) await new Promise<void>((r) => (this.waiter = r));
    this.waiter = undefined;
    const out = this.buf.slice(0, this.buf.lastIndexOf('(qemu) '));
    this.buf = '';
    return out;
  }
  command(cmd: string): Promise<string> {
    const run = async (): Promise<string> => {
      await this.prompt(); // the greeting or the previous command's prompt
      this.sock.write(`${cmd}\n`);
      const out = await this.prompt();
      this.buf = '(qemu) ';
      // The monitor echoes the command line; what follows it is the answer.
      return out.split('\n').slice(1).join('\n').trim();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }
  close(): void {
    this.sock.destroy();
  }
}

async function connectWhenReady(path: string, deadline: number, qemu: ChildProcess): Promise<Socket> {
  for (;;) {
    if (qemu.exitCode !== null) throw new Error(`qemu exited (${qemu.exitCode}) before ${path} appeared`);
    if (existsSync(path)) {
      try {
        return await new Promise<Socket>((resolve, reject) => {
          const s = connect(path, () => resolve(s));
          s.once('error', reject);
        });
      } catch {
        // Socket file there but not listening yet.
      }
    }
    if (Date.now() > deadline) throw new Error(`${path} never accepted a connection`);
    await sleep(100);
  }
}

export interface NicSpec { netdev: string; model: 'virtio-net-pci' | 'e1000'; mac: string; tap: string }
export interface GuestSpec { role: string; nics: NicSpec[]; memMb: number; cpus: number }

export class Guest {
  private agent: Agent | undefined;
  private monitor: Monitor | undefined;
  constructor(
    readonly spec: GuestSpec,
    readonly qemu: ChildProcess,
    readonly consoleLog: string,
    private readonly agentPath: string,
    private readonly monitorPath: string,
  ) {}

  get role(): string {
    return this.spec.role;
  }

  /** Connects to the agent and monitor and waits until the agent answers (the guest has booted that far). */
  async attach(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.monitor = new Monitor(await connectWhenReady(this.monitorPath, deadline, this.qemu));
    this.agent = new Agent(await connectWhenReady(this.agentPath, deadline, this.qemu));
    // Requests written before the guest opens its port wait in QEMU, so one ping is enough.
    const left = Math.max(1000, deadline - Date.now());
    const r = await this.agent.exec('echo up', left).catch((e: Error) => {
      throw new Error(`${this.role}: agent never answered (${e.message}); console:\n${this.consoleTail()}`);
    });
    if (r.rc === -1) throw new Error(`${this.role}: ${r.out}; console:\n${this.consoleTail()}`);
    if (r.out.trim() !== 'up') throw new Error(`${this.role}: agent answered ${JSON.stringify(r.out)}`);
    // The agent starts early (sysinit); the tests want the NICs renamed and the boot finished.
    const wait = Math.max(1000, deadline - Date.now());
    await this.exec('udevadm settle -t 120; systemctl is-system-running --wait', wait);
  }

  /** Runs a bash script in the guest as root; never throws on a non-zero status. */
  exec(script: string, timeoutMs = 300_000): Promise<ExecResult> {
    if (!this.agent) throw new Error(`${this.role}: not attached`);
    return this.agent.exec(script, timeoutMs);
  }

  /** Runs a bash script and returns its output; a non-zero status throws with the output. */
  async run(script: string, timeoutMs = 300_000): Promise<string> {
    const r = await this.exec(script, timeoutMs);
    if (r.rc !== 0) throw new Error(`${this.role}: exit ${r.rc}: ${script}\n${r.out}`);
    return r.out;
  }

  /** Polls a script until it exits 0; returns its output, or throws with the last output. */
  async waitFor(script: string, what: string, timeoutMs = 30_000, everyMs = 250): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: ExecResult = { rc: -1, out: '' };
    while (Date.now() < deadline) {
      last = await this.exec(script, Math.max(1000, deadline - Date.now()));
      if (last.rc === 0) return last.out;
      await sleep(everyMs);
    }
    throw new Error(`${this.role}: ${what}: not within ${timeoutMs} ms; last output:\n${last.out}`);
  }

  /** A QEMU monitor command (e.g. `set_link n0 off`). */
  async hmp(cmd: string): Promise<string> {
    if (!this.monitor) throw new Error(`${this.role}: not attached`);
    return this.monitor.command(cmd);
  }

  /** Cable pull / plug: the guest sees carrier go away and come back. */
  async setLink(netdev: string, up: boolean): Promise<void> {
    const out = await this.hmp(`set_link ${netdev} ${up ? 'on' : 'off'}`);
    if (/error|not found|invalid/i.test(out)) throw new Error(`${this.role}: set_link ${netdev}: ${out}`);
  }

  /** The last lines of the guest's journal, for failure reports. */
  async journalTail(lines = 60, unit?: string): Promise<string> {
    const r = await this.exec(`journalctl -b --no-pager -o short-precise ${unit ? `-u ${unit}` : ''} | tail -n ${lines}`, 15_000).catch(
      (e: Error) => ({ rc: -1, out: `(journal unavailable: ${e.message})` }),
    );
    return r.out;
  }

  consoleTail(lines = 40): string {
    try {
      return readFileSync(this.consoleLog, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no console log)';
    }
  }

  close(): void {
    this.agent?.close();
    this.monitor?.close();
    if (this.qemu.exitCode === null) this.qemu.kill('SIGKILL');
  }
}

export interface LabOptions { guests: GuestSpec[]; log?: (s: string) => void; bootTimeoutMs?: number }

/**
 * A bridge `br0` and the guests' taps in namespace `ipmpdt-<pid>-<rand>-vm`, a run directory
 * with the share every guest mounts at /lab, and the guests. QEMU gets SIGKILL when the
 * process that started it dies (setpriv --pdeathsig), and the namespace has the test prefix,
 * so the global setup's orphan cleanup removes what a crashed run left.
 */
export class VmLab {
  readonly ns: string;
  readonly dir: string;
  readonly share: string;
  readonly guests = new Map<string, Guest>();
  readonly accel = chooseAccel();

  private constructor(readonly image: LabImage) {
    this.ns = `${NS_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-vm`;
    this.dir = mkdtempSync(join(tmpdir(), 'ipmpd-lab-'));
    this.share = join(this.dir, 'share');
    mkdirSync(this.share);
  }

  static async start(image: LabImage, opts: LabOptions): Promise<VmLab> {
    const lab = new VmLab(image);
    try {
      sh('ip', ['netns', 'add', lab.ns]);
      ip(lab.ns, 'link', 'set', 'lo', 'up');
      ip(lab.ns, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
      // No snooping: multicast (IPv6 NS/NA, probes to all-hosts) reaches every port.
      ip(lab.ns, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
      ip(lab.ns, 'link', 'set', 'br0', 'up');
      for (const g of opts.guests) {
        for (const n of g.nics) {
          ip(lab.ns, 'tuntap', 'add', n.tap, 'mode', 'tap');
          ip(lab.ns, 'link', 'set', n.tap, 'master', 'br0', 'up');
        }
      }
      for (const g of opts.guests) lab.guests.set(g.role, lab.boot(g));
      const t0 = Date.now();
      await Promise.all([...lab.guests.values()].map((g) => g.attach(opts.bootTimeoutMs ?? 600_000)));
      opts.log?.(`vm lab: ${opts.guests.map((g) => g.role).join(' + ')} booted (${lab.accel}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return lab;
    } catch (e) {
      lab.stop();
      throw e;
    }
  }

  guest(role: string): Guest {
    const g = this.guests.get(role);
    if (!g) throw new Error(`no guest ${role}`);
    return g;
  }

  private boot(g: GuestSpec): Guest {
    const base = join(this.dir, g.role);
    const accel = this.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max'];
    const args = [
      '--pdeathsig', 'KILL', 'qemu-system-x86_64',
      '-name', g.role, '-nodefaults', '-no-user-config', '-display', 'none',
      ...accel, '-smp', String(g.cpus), '-m', String(g.memMb),
      '-kernel', this.image.kernel, '-initrd', this.image.initrd,
      // no_timer_check: a slow emulated CPU fails the IO-APIC timer check and panics otherwise.
      '-append', `root=/dev/vda rw console=ttyS0 quiet loglevel=4 no_timer_check net.ifnames=0 systemd.show_status=0 ipmpd.role=${g.role} ipmpd.share=1 panic=-1`,
      '-drive', `file=${this.image.rootfs},format=raw,if=virtio,snapshot=on,cache=unsafe`,
      '-serial', `file:${base}.console`,
      '-monitor', `unix:${base}.monitor,server=on,wait=off`,
      '-device', 'virtio-serial-pci',
      '-chardev', `socket,id=agent,path=${base}.agent,server=on,wait=off`,
      '-device', 'virtserialport,chardev=agent,name=lab.agent',
      '-virtfs', `local,path=${this.share},mount_tag=lab,security_model=none,id=lab`,
      '-no-reboot',
    ];
    for (const n of g.nics) {
      args.push('-netdev', `tap,id=${n.netdev},ifname=${n.tap},script=no,downscript=no`);
      args.push('-device', `${n.model},netdev=${n.netdev},mac=${n.mac}`);
    }
    const qemu = spawn('ip', ['netns', 'exec', this.ns, 'setpriv', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    qemu.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    qemu.on('exit', (code) => {
      if (code !== 0 && code !== null && err) console.error(`qemu ${g.role} exited ${code}: ${err}`);
    });
    return new Guest(g, qemu, `${base}.console`, `${base}.agent`, `${base}.monitor`);
  }

  /** Black hole with carrier up: the tap goes down on the host side, the guest's link stays up. */
  tap(tap: string, up: boolean): void {
    ip(this.ns, 'link', 'set', tap, up ? 'up' : 'down');
  }

  /** Runs a command in the lab namespace (e.g. tcpdump on br0). */
  spawnInNs(cmd: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns, 'setpriv', '--pdeathsig', 'KILL', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Journal tails of every guest, for a failed test's report. */
  async diagnostics(): Promise<string> {
    const parts: string[] = [];
    for (const g of this.guests.values()) parts.push(`--- ${g.role}: journal tail ---\n${await g.journalTail()}`);
    return parts.join('\n');
  }

  stop(): void {
    for (const g of this.guests.values()) g.close();
    deleteNamespace(this.ns);
    if (!process.env.IPMPD_LAB_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
