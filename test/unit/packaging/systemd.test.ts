// systemd/ipmpd.service: the keys the daemon's contract depends on, and systemd's own verdict.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { last, parseUnitFile, timeSpanMs, tokens } from './unit-file.js';
import { needTool, run } from './tools.js';

const UNIT_PATH = new URL('../../../systemd/ipmpd.service', import.meta.url);
const text = readFileSync(UNIT_PATH, 'utf8');
const unit = parseUnitFile(text);
const svc = (key: string): string | undefined => last(unit, 'Service', key);

describe('ipmpd.service contract', () => {
  it('is Type=notify with the main process allowed to notify', () => {
    expect(svc('Type')).toBe('notify');
    expect(svc('NotifyAccess') ?? 'main').toBe('main');
  });

  it('has a watchdog the daemon can feed (pings at WatchdogSec/2)', () => {
    const ms = timeSpanMs(svc('WatchdogSec') ?? '0');
    expect(ms).toBeGreaterThanOrEqual(5_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });

  it('starts the daemon from an absolute path and reloads with SIGHUP', () => {
    expect(svc('ExecStart')).toMatch(/^\/\S*\/ipmpd( \$IPMPD_OPTS)?$/);
    expect(svc('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('restarts on failure, rate-limited', () => {
    expect(svc('Restart')).toBe('on-failure');
    expect(timeSpanMs(svc('RestartSec') ?? '0')).toBeGreaterThan(0);
    expect(Number(last(unit, 'Unit', 'StartLimitBurst'))).toBeGreaterThan(0);
  });

  it('keeps exactly CAP_NET_ADMIN and CAP_NET_RAW', () => {
    const want = new Set(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(tokens(unit, 'Service', 'CapabilityBoundingSet')).toEqual(want);
    expect(tokens(unit, 'Service', 'AmbientCapabilities')).toEqual(want);
  });

  it.each([
    ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['PrivateDevices', 'yes'],
    ['NoNewPrivileges', 'yes'], ['ProtectKernelModules', 'yes'], ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'], ['RestrictNamespaces', 'yes'], ['RestrictRealtime', 'yes'],
    ['RestrictSUIDSGID', 'yes'], ['LockPersonality', 'yes'], ['SystemCallArchitectures', 'native'],
  ])('hardening: %s=%s', (key, value) => {
    expect(svc(key)).toBe(value);
  });

  it('allows exactly the socket families ipmpd uses', () => {
    expect(tokens(unit, 'Service', 'RestrictAddressFamilies'))
      .toEqual(new Set(['AF_UNIX', 'AF_NETLINK', 'AF_PACKET', 'AF_INET', 'AF_INET6']));
  });

  it('leaves /proc/sys/net writable and the network namespace shared', () => {
    // ipmpd writes per-interface sysctls; these settings would make that fail at run time.
    expect(svc('ProtectKernelTunables') ?? 'no').toBe('no');
    expect(svc('ProcSubset') ?? 'all').toBe('all');
    expect(svc('PrivateNetwork') ?? 'no').toBe('no');
    expect(svc('PrivateUsers') ?? 'no').toBe('no');
    // V8 needs W+X pages.
    expect(svc('MemoryDenyWriteExecute') ?? 'no').toBe('no');
  });

  it('creates /run/ipmpd for the control sockets, traversable so the read-only one is reachable', () => {
    expect(svc('RuntimeDirectory')).toBe('ipmpd');
    expect(svc('RuntimeDirectoryMode')).toBe('0755');
  });

  it('logs to the journal and is ordered before network-online.target', () => {
    expect(svc('StandardOutput') ?? 'journal').toBe('journal');
    expect(last(unit, 'Unit', 'Before')).toContain('network-online.target');
    expect(last(unit, 'Unit', 'After')).toContain('network.target');
    expect(last(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });
});

describe('systemd-analyze verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipmpdt-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // verify insists that ExecStart's binary exists; the daemon is not installed on a build
  // machine, so a copy of the unit points at an executable stub with the same name.
  function verify(unitText: string): { status: number | null; output: string } {
    const stub = join(dir, 'ipmpd');
    writeFileSync(stub, '#!/bin/sh\nexit 0\n');
    chmodSync(stub, 0o755);
    const copy = unitText.replace(/^ExecStart=\S+/m, `ExecStart=${stub}`);
    expect(copy).toContain(`ExecStart=${stub}`);
    const path = join(dir, 'ipmpd.service');
    writeFileSync(path, copy);
    const r = run('systemd-analyze', ['verify', '--man=no', path]);
    return { status: r.status, output: (r.stdout + r.stderr).trim() };
  }

  it('accepts the unit with no errors or warnings', (ctx) => {
    needTool(ctx, 'systemd-analyze', 'systemd');
    expect(verify(text)).toEqual({ status: 0, output: '' });
  });

  it('would report a broken unit (the check can fail)', (ctx) => {
    needTool(ctx, 'systemd-analyze', 'systemd');
    const broken = text.replace(/^WatchdogSec=.*$/m, 'WatchdogSec=banana\nNoSuchKey=1');
    const r = verify(broken);
    expect(r.output).toMatch(/WatchdogSec|banana/);
    expect(r.output).toMatch(/NoSuchKey/);
  });
});
