// YAML `hooks:`: absolute program path, known event names, timeout default; round trip.
import { describe, expect, it } from 'vitest';
import { parseYamlConfig, toYaml } from '../../../src/config/yaml-config.js';

const BASE = `
groups:
  - name: g
    interfaces: [{ name: eth0 }, { name: eth1 }]
`;

describe('hooks configuration', () => {
  it('parses hooks with the default timeout and survives toYaml', () => {
    const r = parseYamlConfig(`${BASE}hooks:\n  - { exec: /usr/local/sbin/notify, events: [failover, failback] }\n  - { exec: /bin/true, events: [group-failed], timeoutMs: 500 }\n`, 'x.yaml');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.config?.hooks).toEqual([
      { exec: '/usr/local/sbin/notify', events: ['failover', 'failback'], timeoutMs: 10_000 },
      { exec: '/bin/true', events: ['group-failed'], timeoutMs: 500 },
    ]);
    expect(parseYamlConfig(toYaml(r.config!), 'y.yaml').config?.hooks).toEqual(r.config?.hooks);
  });

  it.each([
    ['a relative program path', '{ exec: notify.sh, events: [failover] }', /absolute path/],
    ['an unknown event', '{ exec: /bin/true, events: [fail-over] }', /events/],
    ['no events', '{ exec: /bin/true, events: [] }', /at least one event/],
    ['a misspelt key', '{ exec: /bin/true, events: [failover], timeout: 5 }', /timeout/],
  ])('refuses %s', (_name, hook, message) => {
    const r = parseYamlConfig(`${BASE}hooks: [${hook}]\n`, 'x.yaml');
    const errors = r.findings.filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((f) => f.message).join('\n')).toMatch(message);
  });
});
