// Runs a CLI entry point (runMigrate, runCheck, ...) in-process with captured output.
import type { Io } from '../../src/cli/main.js';

export async function runCli(fn: (argv: string[], io: Io) => Promise<number>, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await fn(argv, { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } } });
  return { code, stdout, stderr };
}
