// The files the package installs under /etc: rt_protos.d name, /etc/default/ipmpd, the example.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RTPROT_IPMPD } from '../../../src/apply/intent.js';
import { runCheck } from '../../../src/cli/ipmpctl-check.js';
import { parseUnitFile, last } from './unit-file.js';
import { runCli } from '../../helpers/cli-io.js';
import { repoPath } from './repo.js';

/** iproute2's rt_protos format: "number name" lines, # comments. */
function protoEntries(text: string): [number, string][] {
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '')
    .map((l) => { const [n, name] = l.split(/\s+/); return [Number(n), name as string]; });
}

describe('rt_protos.d/ipmpd.conf', () => {
  it('names exactly the protocol number the daemon stamps on its routes', () => {
    const entries = protoEntries(readFileSync(repoPath('packaging/rt_protos.d/ipmpd.conf'), 'utf8'));
    expect(entries).toEqual([[RTPROT_IPMPD, 'ipmpd']]);
  });

  it('does not reuse a number iproute2 already names on this machine', () => {
    const tables = ['/usr/share/iproute2/rt_protos', '/etc/iproute2/rt_protos'].filter((p) => existsSync(p));
    for (const t of tables) {
      const taken = protoEntries(readFileSync(t, 'utf8')).filter(([n, name]) => n === RTPROT_IPMPD && name !== 'ipmpd');
      expect(taken).toEqual([]);
    }
  });
});

describe('/etc/default/ipmpd', () => {
  it('sets IPMPD_OPTS, the variable the unit passes to ExecStart', () => {
    const text = readFileSync(repoPath('packaging/default/ipmpd'), 'utf8');
    expect(text).toMatch(/^IPMPD_OPTS=""$/m);
    const unit = parseUnitFile(readFileSync(repoPath('systemd/ipmpd.service'), 'utf8'));
    expect(last(unit, 'Service', 'EnvironmentFile')).toBe('-/etc/default/ipmpd');
    expect(last(unit, 'Service', 'ExecStart')).toMatch(/ \$IPMPD_OPTS$/);
  });
});

describe('ipmpd.yaml.example', () => {
  it('is a configuration ipmpctl check accepts without an error', async () => {
    const r = await runCli(runCheck, [repoPath('packaging/ipmpd.yaml.example')]);
    expect(r.stderr).not.toMatch(/^error /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/name: public/);
  });

  it('explains itself: most keys carry a comment', () => {
    const lines = readFileSync(repoPath('packaging/ipmpd.yaml.example'), 'utf8').split('\n');
    expect(lines.filter((l) => l.trim().startsWith('#')).length).toBeGreaterThanOrEqual(10);
  });
});
