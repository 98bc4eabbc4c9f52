// Throw-away directories for running the lab shell scripts against stand-in commands.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'ipmpdt-lab-'));
  readonly bin = join(this.dir, 'bin');
  /** Stub commands append their argv here, one call per line. */
  readonly log = join(this.dir, 'calls.log');

  constructor() {
    mkdirSync(this.bin);
    writeFileSync(this.log, '');
  }

  /** Adds an executable stand-in for `name` (a bash script body). */
  stub(name: string, body: string): void {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(path, 0o755);
  }

  /** Environment whose PATH finds the stubs first. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.bin}:${process.env.PATH ?? ''}`, STUB_LOG: this.log, ...extra };
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
