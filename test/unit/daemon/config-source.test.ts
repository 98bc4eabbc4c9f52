// Issue 10, item 6: a large configuration is parsed off the event loop, so a reload cannot
// delay failover by the parse time. Compared against the same parse on the main thread.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { loadDaemonConfig } from '../../../src/daemon/config-source.js';
import { silentLogger } from '../../../src/log.js';

const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-cfgsrc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Longest gap between 5 ms ticks while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; }, 5);
  try {
    await work();
  } finally {
    clearInterval(t);
  }
  return Math.max(worst, performance.now() - last);
}

describe('loadDaemonConfig', () => {
  test('parses a near-limit configuration without blocking the event loop', async () => {
    const groups = Array.from({ length: 3000 }, (_, i) => `  - name: g${i}\n    interfaces: [{name: a${i}}, {name: b${i}}]\n    dataAddresses: [{address: "2001:db8:${i.toString(16)}::1/64", interface: a${i}}]\n`);
    const f = join(tmp, 'big.yaml');
    writeFileSync(f, `groups:\n${groups.join('')}`);
    const inThread = await longestStall(() => loadConfig(f));
    let groupsLoaded = 0;
    const offThread = await longestStall(async () => { groupsLoaded = (await loadDaemonConfig({ path: f, map: {} }, silentLogger))?.groups.length ?? -1; });
    expect(groupsLoaded).toBe(3000);
    // The main-thread parse blocks for its whole duration; the worker only for the hand-over.
    expect(offThread).toBeLessThan(inThread / 3);
  }, 60_000);

  test('a configuration with errors is refused (null), findings reported', async () => {
    const f = join(tmp, 'bad.yaml');
    writeFileSync(f, 'groups: nope\n');
    const lines: string[] = [];
    const { createLogger } = await import('../../../src/log.js');
    const log = createLogger({ destination: { write: (l: string) => { lines.push(l); } } });
    expect(await loadDaemonConfig({ path: f, map: {} }, log)).toBeNull();
    expect(lines.join('')).toContain('YAML_SCHEMA');
  });
});
