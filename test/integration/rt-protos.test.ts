// The packaged /etc/iproute2/rt_protos.d/ipmpd.conf makes `ip route` print "proto ipmpd" for
// the routes the daemon installs (protocol RTPROT_IPMPD). Runs in a throw-away network and
// mount namespace (unshare), with a copy of /etc/iproute2 bind-mounted over the real one, so
// neither the machine's routes nor its /etc are touched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RTPROT_IPMPD } from '../../src/apply/intent.js';
import { requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();
const CONF = new URL('../../packaging/rt_protos.d/ipmpd.conf', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'ipmpdt-rtprotos-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `ip route` output in a fresh namespace holding one route of protocol RTPROT_IPMPD. */
function routesWith(withConf: boolean): string {
  const etc = join(work, withConf ? 'with' : 'without');
  if (existsSync('/etc/iproute2')) cpSync('/etc/iproute2', etc, { recursive: true });
  mkdirSync(join(etc, 'rt_protos.d'), { recursive: true });
  if (withConf) cpSync(CONF, join(etc, 'rt_protos.d/ipmpd.conf'));
  else rmSync(join(etc, 'rt_protos.d/ipmpd.conf'), { force: true });
  const script = [
    `mount --bind '${etc}' /etc/iproute2`,
    'ip link add ipmpdt0 type veth peer name ipmpdt1',
    'ip link set ipmpdt0 up',
    `ip route add 198.51.100.0/24 dev ipmpdt0 proto ${RTPROT_IPMPD}`,
    'ip route show 198.51.100.0/24',
  ].join(' && ');
  const r = spawnSync('unshare', ['--mount', '--net', 'sh', '-ec', script], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`unshare failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe.runIf(enabled)('rt_protos.d/ipmpd.conf with the real ip(8)', () => {
  it('names the daemon\'s routes "proto ipmpd"', () => {
    expect(routesWith(true)).toMatch(/^198\.51\.100\.0\/24 dev ipmpdt0 proto ipmpd /m);
  });

  it('without the file the same route shows the bare number (the file is what names it)', () => {
    expect(routesWith(false)).toMatch(new RegExp(`^198\\.51\\.100\\.0/24 dev ipmpdt0 proto ${RTPROT_IPMPD} `, 'm'));
  });
});
