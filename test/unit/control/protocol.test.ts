import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/control/protocol.js';

describe('parseRequest', () => {
  it.each([
    [{ id: 0, cmd: 'ping' }],
    [{ id: 7, cmd: 'status' }],
    [{ id: 1, cmd: 'probes' }],
    [{ id: 1, cmd: 'probes', sinceMs: 1732900000000 }],
    [{ id: 2, cmd: 'offline', ifname: 'eth0' }],
    [{ id: 3, cmd: 'undo-offline', ifname: 'enp3s0f1.100' }],
    [{ id: 4, cmd: 'reload' }],
    [{ id: 5, cmd: 'monitor' }],
  ])('accepts %j', (raw) => {
    expect(parseRequest(raw)).toEqual({ ok: true, request: raw });
  });

  it.each([
    [null, 'request', 'expected an object'],
    [[1], 'request', 'expected an object'],
    ['ping', 'request', 'expected an object'],
    [{ cmd: 'ping' }, 'id', 'expected a non-negative integer'],
    [{ id: -1, cmd: 'ping' }, 'id', 'expected a non-negative integer'],
    [{ id: 1.5, cmd: 'ping' }, 'id', 'expected a non-negative integer'],
    [{ id: '1', cmd: 'ping' }, 'id', 'expected a non-negative integer'],
    [{ id: 1 }, 'cmd', 'unknown command'],
    [{ id: 1, cmd: 'format-disk' }, 'cmd', 'unknown command "format-disk"'],
    [{ id: 1, cmd: 'toString' }, 'cmd', 'unknown command "toString"'],
    [{ id: 1, cmd: 'ping', x: 1 }, 'x', 'unrecognized field'],
    [{ id: 1, cmd: 'status', ifname: 'eth0' }, 'ifname', 'unrecognized field'],
    [{ id: 1, cmd: 'offline' }, 'ifname', 'not an interface name'],
    [{ id: 1, cmd: 'offline', ifname: '' }, 'ifname', 'not an interface name'],
    [{ id: 1, cmd: 'offline', ifname: '../../etc' }, 'ifname', 'not an interface name'],
    [{ id: 1, cmd: 'offline', ifname: 'a234567890123456' }, 'ifname', 'not an interface name'],
    [{ id: 1, cmd: 'offline', ifname: 'eth0:1' }, 'ifname', 'not an interface name'],
    [{ id: 1, cmd: 'probes', sinceMs: 'now' }, 'sinceMs', 'expected a number'],
    [{ id: 1, cmd: 'probes', sinceMs: null }, 'sinceMs', 'expected a number'],
  ])('refuses %j at %s', (raw, where, message) => {
    expect(parseRequest(raw)).toEqual({ ok: false, where, message });
  });

  it('never throws, and accepts only objects whose cmd is known', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const r = parseRequest(v);
      if (r.ok) expect(['ping', 'status', 'probes', 'offline', 'undo-offline', 'reload', 'monitor']).toContain(r.request.cmd);
    }), { numRuns: 2000 });
  });
});
