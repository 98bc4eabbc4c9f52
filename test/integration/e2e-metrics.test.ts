// Metrics end to end: ipmpd with `metrics.listen` on the host namespace's loopback, scraped
// with curl from inside that namespace. After a carrier cut the failover counter and the
// interface gauges say what ipmpstat says, and promtool accepts the exposition as a whole.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holder } from '../helpers/host-state.js';
import { nsExec, requireNetnsSupport } from '../helpers/netns.js';
import { startScenario, type Scenario } from '../helpers/scenario.js';
import { until } from '../helpers/wire.js';
import { hasTool, needTool } from '../unit/packaging/tools.js';

const enabled = requireNetnsSupport();
const DATA = '192.0.2.100';

const CONFIG = `
mpathd:
  failureDetectionTime: 700
defaultRouters: [192.0.2.254]
groups:
  - name: web
    announce: { arpCount: 1, arpIntervalMs: 300, naCount: 1, naIntervalMs: 300 }
    interfaces:
      - { name: eth0, testAddresses: [192.0.2.10/24] }
      - { name: eth1, testAddresses: [192.0.2.11/24] }
    dataAddresses:
      - { address: ${DATA}/24, interface: eth0 }
metrics:
  listen: 127.0.0.1:9772
`;

/** The value of one sample line, e.g. value(text, 'ipmpd_failovers_total{group="web",reason="link"}'); undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.runIf(enabled)('e2e: Prometheus metrics endpoint', () => {
  let s: Scenario;
  let url = 'http://127.0.0.1:9772/metrics';
  const scrape = (): string => nsExec(s.t.host, 'curl', ['-s', '--max-time', '5', url]);
  /** '' when nothing answers there (curl exits non-zero). */
  const scrapeAt = (port: number): string => {
    const r = spawnSync('ip', ['netns', 'exec', s.t.host, 'curl', '-s', '--max-time', '5', `http://127.0.0.1:${port}/metrics`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  };

  beforeAll(async () => {
    s = await startScenario({ config: CONFIG });
    await s.d.probesSettled();
  });
  afterAll(() => s?.close());

  it('serves the state gauges on the configured address only, and 404 elsewhere', () => {
    const text = scrape();
    expect(value(text, 'ipmpd_group_state{group="web",state="ok"}')).toBe(1);
    expect(value(text, 'ipmpd_interface_state{group="web",interface="eth0",state="ok"}')).toBe(1);
    expect(value(text, 'ipmpd_interface_link_state{group="web",interface="eth1",state="up"}')).toBe(1);
    const code = nsExec(s.t.host, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', 'http://127.0.0.1:9772/']);
    expect(code).toBe('404');
    // Bound to 127.0.0.1: the host's other addresses do not answer.
    const other = spawnSync('ip', ['netns', 'exec', s.t.host, 'curl', '-s', '--max-time', '5', 'http://192.0.2.10:9772/metrics']);
    expect(other.status).not.toBe(0);
  });

  it('counts the failover after a carrier cut and shows eth0 failed', async () => {
    s.t.cutCarrier(0);
    await until(() => holder(s.t.host, DATA).join() === 'eth1', 5000, `${DATA} on eth1`);
    // Counters are updated once the writer's run is done: wait for the scrape to show it.
    let text = '';
    await until(() => value((text = scrape()), 'ipmpd_failovers_total{group="web",reason="link"}') === 1, 5000, 'failover counted');
    expect(value(text, 'ipmpd_interface_link_state{group="web",interface="eth0",state="down"}')).toBe(1);
    expect(value(text, 'ipmpd_interface_state{group="web",interface="eth0",state="failed"}')).toBe(1);
    expect(value(text, 'ipmpd_interface_active{group="web",interface="eth0"}')).toBe(0);
    expect(value(text, 'ipmpd_group_state{group="web",state="degraded"}')).toBe(1);
    expect(value(text, 'ipmpd_last_failover_duration_seconds{group="web"}')).toBeGreaterThan(0);
    expect(value(text, 'ipmpd_announcements_total')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'ipmpd_probe_rtt_seconds_count{interface="eth1"}')).toBeGreaterThan(0);
  });

  it('counts the failback on repair', async () => {
    s.t.restoreCarrier(0);
    await until(() => holder(s.t.host, DATA).join() === 'eth0', 8000, `${DATA} back on eth0`);
    await until(() => value(scrape(), 'ipmpd_failbacks_total{group="web",reason="link"}') === 1, 5000, 'failback counted');
  });

  it('counts a refused reload', async () => {
    s.d.writeConfig(`${CONFIG}\nbogus: 1\n`);
    await s.d.signal('SIGHUP');
    await until(() => value(scrape(), 'ipmpd_config_reloads_total{result="refused"}') === 1, 15_000, 'refused reload counted');
  });

  it('moves the endpoint when a reload changes metrics.listen', async () => {
    s.d.writeConfig(CONFIG.replace('127.0.0.1:9772', '127.0.0.1:9773'));
    await s.d.signal('SIGHUP');
    await until(() => value(scrapeAt(9773), 'ipmpd_config_reloads_total{result="ok"}') === 1, 15_000, 'endpoint on 9773, reload counted');
    // Counters survive the move; the old port is closed.
    expect(value(scrapeAt(9773), 'ipmpd_failovers_total{group="web",reason="link"}')).toBe(1);
    expect(scrapeAt(9772)).toBe('');
    url = 'http://127.0.0.1:9773/metrics';
  });

  it('passes promtool check metrics', (ctx) => {
    needTool(ctx, 'promtool', 'prometheus');
    expect(hasTool('promtool')).toBe(true);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: scrape(), encoding: 'utf8', timeout: 30_000 });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
