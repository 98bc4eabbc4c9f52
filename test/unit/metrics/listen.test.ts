// metrics.listen: IP literal and port, IPv6 in brackets; the YAML schema refuses the rest.
import { describe, expect, it } from 'vitest';
import { parseYamlConfig } from '../../../src/config/yaml-config.js';
import { parseListen } from '../../../src/metrics/listen.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9772', { host: '127.0.0.1', port: 9772, family: 4 }],
    ['[::1]:9772', { host: '::1', port: 9772, family: 6 }],
    ['[2001:db8::5]:1', { host: '2001:db8::5', port: 1, family: 6 }],
  ])('%s', (text, want) => expect(parseListen(text)).toEqual(want));

  it.each(['127.0.0.1', '::1:9772', '[127.0.0.1]:9772', 'localhost:9772', '127.0.0.1:0', '127.0.0.1:65536', '[::1]', '1.2.3.4:97x', ':9772', '300.0.0.1:80'])(
    'refuses %s', (text) => expect(parseListen(text)).toBeNull());
});

const BASE = `
groups:
  - name: g
    interfaces: [{ name: eth0 }, { name: eth1 }]
`;

describe('YAML metrics:', () => {
  it('is off when absent and carried into the model when given', () => {
    expect(parseYamlConfig(BASE, 'c.yaml').config?.metrics).toBeUndefined();
    const r = parseYamlConfig(`${BASE}metrics: { listen: "[::1]:9772" }\n`, 'c.yaml');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.config?.metrics).toEqual({ listen: '[::1]:9772' });
  });

  it('refuses a bad address and unknown keys', () => {
    for (const m of ['{ listen: "localhost:9772" }', '{ listen: "127.0.0.1:9772", path: /m }', '{}']) {
      const r = parseYamlConfig(`${BASE}metrics: ${m}\n`, 'c.yaml');
      expect(r.findings.some((f) => f.severity === 'error'), m).toBe(true);
    }
  });
});
