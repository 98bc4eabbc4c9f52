// Bash completion (completions/ipmpd.bash): sourcing it registers all four tools, and the
// functions complete options, ipmpstat fields, interface names (from `ip -o link`, or the
// daemon's members for if_mpadm) and files — run in a real bash against stub ip/ipmpstat.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needTool, run } from './tools.js';
import { repoPath } from './repo.js';

const FILE = repoPath('completions/ipmpd.bash');
const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-compl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Stubs: `ip -o link` lists three links (one veth with @peer); ipmpstat answers only when told.
const bin = join(tmp, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'ip'), `#!/bin/sh
[ "$*" = "-o link show" ] || exit 1
printf '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\\n'
printf '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\\n'
printf '3: eth1@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\\\    link/ether 52:54:00:12:34:57 brd ff:ff:ff:ff:ff:ff link-netnsid 0\\n'
`);
writeFileSync(join(bin, 'ipmpstat'), `#!/bin/sh
[ -n "$STUB_MEMBERS" ] && [ "$*" = "-i -o interface -P" ] && { printf '%s\\n' $STUB_MEMBERS; exit 0; }
exit 1
`);
chmodSync(join(bin, 'ip'), 0o755);
chmodSync(join(bin, 'ipmpstat'), 0o755);
writeFileSync(join(tmp, 'ipmpd.yaml'), 'groups: []\n');
mkdirSync(join(tmp, 'oldhost'));

/** Completes `line` (the cursor at its end) with the registered function; returns COMPREPLY. */
function complete(line: string, env: Record<string, string> = {}): string[] {
  const words = line.split(' ');
  const script = `
    source ${JSON.stringify(FILE)}
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
    COMP_CWORD=${words.length - 1}
    fn=$(complete -p ${words[0]} | sed -E 's/.*-F ([^ ]+) .*/\\1/')
    "$fn" "${words[0]}" "${words[words.length - 1]}" "${words[words.length - 2] ?? ''}"
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
    cwd: tmp, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, HOME: tmp, ...env },
  });
  if (r.status !== 0) throw new Error(`bash failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('bash completion', () => {
  it('registers a completion function for each tool', () => {
    const r = run('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(FILE)} && complete -p ipmpd ipmpstat if_mpadm ipmpctl`]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'complete -F _ipmpd ipmpd', 'complete -F _ipmpstat ipmpstat', 'complete -F _if_mpadm if_mpadm', 'complete -F _ipmpctl ipmpctl',
    ]);
  });

  it.each([
    ['ipmpd --log-', ['--log-level', '--log-format']],
    ['ipmpd --log-level w', ['warn']],
    ['ipmpd --log-format ', ['text', 'json']],
    ['ipmpd --config ipmpd', ['ipmpd.yaml']],
    ['ipmpd --map ce0=e', ['ce0=eth0', 'ce0=eth1']],
    ['ipmpstat -', ['-a', '-g', '-i', '-p', '-t', '-n', '-o', '-P', '-j', '-h', '--help', '--version']],
    ['ipmpstat -g -o ', ['all', 'group', 'groupname', 'state', 'fdt', 'interfaces']],
    ['ipmpstat -i -o interface,l', ['interface,link']],
    ['ipmpstat -P -o t', ['time', 'target', 'testaddr', 'targets']],
    ['if_mpadm -', ['-d', '-r', '-s', '-h', '--help', '--version']],
    ['if_mpadm -d ', ['lo', 'eth0', 'eth1']],
    ['if_mpadm -r eth', ['eth0', 'eth1']],
    ['ipmpctl ', ['migrate', 'check', 'plan', 'monitor', '-h', '--help', '--version']],
    ['ipmpctl m', ['migrate', 'monitor']],
    ['ipmpctl migrate old', ['oldhost']],
    ['ipmpctl migrate oldhost -', ['--map', '-o', '-j']],
    ['ipmpctl migrate oldhost --map ce1=eth', ['ce1=eth0', 'ce1=eth1']],
    ['ipmpctl check -', ['--map', '-j']],
    ['ipmpctl monitor -', ['-j', '-s']],
  ])('%j', (line, expected) => {
    expect(complete(line)).toEqual(expected);
  });

  it('if_mpadm offers the running daemon\'s group members when it answers', () => {
    expect(complete('if_mpadm -d ', { STUB_MEMBERS: 'eth1 eth3' })).toEqual(['eth1', 'eth3']);
  });

  it('passes shellcheck', (ctx) => {
    needTool(ctx, 'shellcheck', 'shellcheck');
    const r = run('shellcheck', ['-s', 'bash', FILE]);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
