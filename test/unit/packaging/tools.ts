// External checkers (systemd-analyze, vagrant, ruby, shellcheck) for the packaging tests.
// Outside CI a missing one skips its test with the reason; in CI (CI=true) a missing one fails,
// because .ci/run installs them and a silent skip would hide that it stopped doing so.
import { spawnSync } from 'node:child_process';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

interface Skippable {
  skip: (condition: boolean, note?: string) => void;
}

/** Returns when `tool` exists; otherwise skips (outside CI) or throws (CI). */
export function needTool(ctx: Skippable, tool: string, debianPackage: string): void {
  if (hasTool(tool)) return;
  if (process.env.CI) {
    throw new Error(`${tool} not found with CI=true: .ci/run must apt-get install ${debianPackage}`);
  }
  ctx.skip(true, `${tool} not installed (apt-get install ${debianPackage}); runs in CI`);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
