// Runs the real ipmpd binary inside a lab namespace, with a notify socket of our own so
// tests can wait for READY=1 exactly as systemd would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AF_UNIX, SOCK_DGRAM } from '../../src/sys/constants.js';
import { Socket } from '../../src/sys/socket.js';

// The package root holds binding.gyp; found by walking up so this works from test/ and dist/.
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'binding.gyp'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the ipmpd package root');
    dir = up;
  }
  return dir;
}
const repo = packageRoot();
export const BIN = (name: string): string => join(repo, 'dist/src/cli', `${name}.js`);

/** The node options a program's `#!/usr/bin/env -S node …` line gives it: tests run it the same way. */
export function shebangFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

export interface LogLine { level: number; msg: string; [k: string]: unknown }

export class DaemonProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'ipmpd-test-'));
  readonly socketPath = join(this.dir, 'ipmpd.sock');
  readonly configPath = join(this.dir, 'ipmpd.yaml');
  readonly logs: LogLine[] = [];
  readonly notifications: string[] = [];
  child: ChildProcess | undefined;
  /** performance.now() when the process was spawned and when READY=1 arrived. */
  spawnedAtMs = 0;
  readyAtMs: number | undefined;
  private notify: Socket | undefined;
  stderrText = "";

  /** Extra environment for the daemon (e.g. IPMPD_NETWORKD_LINKS_DIR). */
  constructor(readonly ns: string, readonly env: Record<string, string> = {}) {}

  writeConfig(yaml: string): void {
    writeFileSync(this.configPath, yaml);
  }

  /** Starts ipmpd and resolves once it sent READY=1. */
  async start(extraArgs: string[] = [], timeoutMs = 10_000): Promise<void> {
    const notifyPath = join(this.dir, `notify-${Date.now()}`);
    this.notify = new Socket(AF_UNIX, SOCK_DGRAM, 0);
    this.notify.bind({ family: 'unix', path: notifyPath });
    this.notify.on('message', (d) => {
      const text = d.data.toString();
      this.notifications.push(text);
      if (this.readyAtMs === undefined && text.split('\n').includes('READY=1')) this.readyAtMs = performance.now();
    });
    this.notify.start();
    this.readyAtMs = undefined;
    this.spawnedAtMs = performance.now();
    const child = spawn('ip', ['netns', 'exec', this.ns, process.execPath, ...shebangFlags(BIN('ipmpd')), BIN('ipmpd'),
      '--config', this.configPath, '--socket', this.socketPath, '--log-level', 'debug', ...extraArgs], {
      env: { ...process.env, ...this.env, NOTIFY_SOCKET: notifyPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).replace(/^<\d>/, '');
        partial = partial.slice(nl + 1);
        try { this.logs.push(JSON.parse(line) as LogLine); } catch { this.logs.push({ level: 0, msg: line }); }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { this.stderrText += c; });
    await this.waitFor(() => this.notifications.some((n) => n.split('\n').includes('READY=1')), timeoutMs,
      () => `ipmpd did not become ready; exit=${child.exitCode} stderr=${this.stderrText} logs=${JSON.stringify(this.logs.slice(-10))}`);
  }

  async waitFor(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(what());
      if ((this.child?.exitCode ?? null) !== null || (this.child?.signalCode ?? null) !== null) {
        throw new Error(`ipmpd exited (${this.child?.exitCode ?? this.child?.signalCode}): ${this.stderrText} ${JSON.stringify(this.logs.slice(-10))}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Runs a CLI (ipmpstat, if_mpadm, ipmpctl) in the same namespace against this daemon. */
  cli(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const c = spawn('ip', ['netns', 'exec', this.ns, process.execPath, BIN(name), ...args], {
        env: { ...process.env, IPMPD_SOCKET: this.socketPath },
      });
      let stdout = '';
      let stderr = '';
      c.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  async signal(sig: NodeJS.Signals): Promise<void> {
    this.child?.kill(sig);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<number | null> {
    const c = this.child;
    // A process killed by a signal has exitCode null and signalCode set: it is gone too, and
    // its 'exit' event has already fired, so waiting for it would hang.
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    // `ip netns exec` execs node directly, so the signal reaches ipmpd itself.
    c.kill(sig);
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  cleanup(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.notify?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits until every member's probe verdict is settled ('ok' or 'disabled'), via ipmpstat. */
  async probesSettled(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const r = await this.cli('ipmpstat', ['-i', '-n', '-o', 'interface,probe', '-P']);
      last = r.stdout;
      const states = r.stdout.trim().split('\n').map((l) => l.split(':')[1]);
      if (r.code === 0 && states.length > 0 && states.every((s) => s === 'ok' || s === 'disabled')) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`probe verdicts did not settle: ${last}`);
  }

  logsMatching(re: RegExp): LogLine[] {
    return this.logs.filter((l) => re.test(l.msg));
  }
}
