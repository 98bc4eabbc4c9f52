// The endpoint on loopback: GET /metrics answers the exposition, anything else 404.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { MetricsServer } from '../../../src/metrics/server.js';

function fetchText(port: number, method: string, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject).end();
  });
}

describe('MetricsServer', () => {
  let server: MetricsServer;
  let port = 0;

  beforeAll(async () => {
    server = await MetricsServer.listen({ host: '127.0.0.1', port: 0, family: 4 }, { expose: () => Promise.resolve('up 1\n'), contentType: 'text/plain; version=0.0.4' }, silentLogger);
    port = server.port;
  });
  afterAll(() => server?.close());

  it('serves GET /metrics', async () => {
    expect(await fetchText(port, 'GET', '/metrics')).toEqual({ status: 200, body: 'up 1\n', type: 'text/plain; version=0.0.4' });
  });

  it.each([['GET', '/'], ['GET', '/metrics/x'], ['POST', '/metrics'], ['HEAD', '/other']])('%s %s is 404', async (method, path) => {
    expect((await fetchText(port, method, path)).status).toBe(404);
  });

  it('refuses a port already taken', async () => {
    await expect(MetricsServer.listen({ host: '127.0.0.1', port, family: 4 }, { expose: () => Promise.resolve(''), contentType: '' }, silentLogger)).rejects.toThrow(/EADDRINUSE/);
  });
});
