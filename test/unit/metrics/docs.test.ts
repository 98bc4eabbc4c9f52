// The metric names the README documents are the ones the registry exposes, and the man page
// and configuration guide describe `metrics.listen`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../../../src/metrics/registry.js';

const read = (p: string): string => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');

describe('metrics documentation', () => {
  it('README names every metric the registry exposes, and no other', async () => {
    const m = new DaemonMetrics({ status: () => ({ groups: [], interfaces: [], addresses: [], targets: [] }), probesSince: () => [] });
    const exposed = (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
    const readme = read('README.md');
    const documented = [...new Set([...readme.matchAll(/^\| `(ipmpd_[a-z_]+)`/gm)].map((x) => x[1]))].sort();
    expect(documented).toEqual(exposed);
  });

  it('ipmpd.yaml(5) and docs/configuration.md describe metrics.listen', () => {
    expect(read('man/ipmpd.yaml.5.md')).toContain('`metrics.listen`');
    expect(read('docs/configuration.md')).toContain('`metrics.listen`');
  });
});
