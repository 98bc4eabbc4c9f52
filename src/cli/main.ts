// Lets a CLI module be both importable (tests call its run function) and executable as a
// bin, including through the symlinks npm creates for "bin" entries.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(metaUrl);
  } catch {
    return false;
  }
}

/** Runs a CLI entry and sets the exit code; unexpected errors print one line, not a stack. */
export function runMain(metaUrl: string, run: (argv: string[], io: Io) => Promise<number>): void {
  if (!isMain(metaUrl)) return;
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
