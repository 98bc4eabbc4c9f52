// Every diagnostic of ipmpstat and if_mpadm, checked byte for byte with its exit status against
// the illumos text (comment: the illumos function that prints it). The tools run in-process
// against a throw-away Unix socket that answers like ipmpd, or against no socket at all.
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIpmpstat } from '../../../src/cli/ipmpstat.js';
import { refusalText, runIfMpadm } from '../../../src/cli/if_mpadm.js';
import type { StatusSnapshot } from '../../../src/control/status.js';
import { runCli } from '../../helpers/cli-io.js';
import { ORACLE } from './ipmpstat-fixtures.js';

const USAGE = `usage: ipmpstat [-n] [-o <field> [-P]] -a|-g|-i|-p|-t

  output modes:\t -a  display IPMP data address information
\t\t -g  display IPMP group information
\t\t -i  display IPMP-related IP interface information
\t\t -p  display IPMP probe information
\t\t -t  display IPMP target information

       options:\t -n  display IP addresses numerically
\t\t -o  display only the specified fields, in order
\t\t -P  display using parsable output mode
`;
const MPADM_USAGE = 'Usage: if_mpadm [-d | -r] <interface>\n';

/** Reply every request with `reply` (the `id` is copied back, as ipmpd does). */
type Answer = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };
let dir: string;
let answer: Answer;
let server: Server;
let sock: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipmpd-texts-'));
  sock = join(dir, 'ipmpd.sock');
  server = createServer((c) => {
    c.setEncoding('utf8');
    c.once('data', (line: string) => {
      const { id } = JSON.parse(line.split('\n')[0] as string) as { id: number };
      c.end(`${JSON.stringify({ id, ...answer })}\n`);
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const NOWHERE = '/nonexistent/ipmpd.sock';
async function ipmpstat(argv: string[], socket = NOWHERE): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = process.env.IPMPD_SOCKET;
  process.env.IPMPD_SOCKET = socket;
  try {
    return await runCli(runIpmpstat, argv);
  } finally {
    if (saved === undefined) delete process.env.IPMPD_SOCKET;
    else process.env.IPMPD_SOCKET = saved;
  }
}
const refuse = (code: string, message = 'whatever the daemon says'): Answer => ({ ok: false, error: { code, message } });

describe('ipmpstat: illumos texts and exit codes', () => {
  it.each<[string, string[], string]>([
    // usage(): no mode, or an operand
    ['usage()', [], USAGE],
    ['usage()', ['-n'], USAGE],
    ['usage()', ['-g', 'extra'], USAGE],
    // getopt(3C), then usage()
    ['getopt + usage()', ['-x', '-g'], `ipmpstat: illegal option -- x\n${USAGE}`],
    ['getopt + usage()', ['-g', '-o'], `ipmpstat: option requires an argument -- o\n${USAGE}`],
    // main(): die("only one output format may be specified\n")
    ['main() die', ['-a', '-g'], 'ipmpstat: only one output format may be specified\n'],
    // main(): die("%s\n", ofmt_strerror()) for ofmt_open() errors
    ['ofmt_strerror OFMT_EPARSENONE', ['-gP'], 'ipmpstat: output fields must be specified in parsable mode\n'],
    ['ofmt_strerror OFMT_EPARSEALL', ['-gP', '-o', 'all'], "ipmpstat: output field `all' invalid in parsable mode\n"],
    ['ofmt_strerror OFMT_EBADFIELDS', ['-gP', '-o', 'group,bogus'], "ipmpstat: unknown output field: `bogus'\n"],
    ['ofmt_strerror OFMT_EBADFIELDS', ['-gP', '-o', 'x,group,y'], "ipmpstat: unknown output fields: `x' `y'\n"],
    ['ofmt_strerror OFMT_ENOFIELDS', ['-g', '-o', 'bogus'], 'ipmpstat: no valid output fields\n'],
    ['ofmt_strerror OFMT_ENOFIELDS', ['-gP', '-o', 'bogus'], 'ipmpstat: no valid output fields\n'],
    // main(): ipmp_ping_daemon() failed
    ['main() die', ['-g'], 'ipmpstat: cannot contact in.mpathd(1M) -- is IPMP in use?\n'],
  ])('%s: %j', async (_source, argv, stderr) => {
    expect(await ipmpstat(argv)).toEqual({ code: 1, stdout: '', stderr });
  });

  it('ofmt_strerror OFMT_EBADFIELDS via warn(): human mode warns and goes on, exit 0', async () => {
    answer = { ok: true, result: ORACLE };
    const r = await ipmpstat(['-g', '-o', 'groupname,bogus'], sock);
    expect(r.stderr).toBe("ipmpstat: warning: ignoring unknown output field: `bogus'\n");
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('GROUPNAME');
  });

  it('probe_output(): die("probe-based failure detection is disabled\\n")', async () => {
    const none: StatusSnapshot = { ...ORACLE, interfaces: ORACLE.interfaces.map((i) => ({ ...i, probe: 'disabled' as const })) };
    answer = { ok: true, result: none };
    expect(await ipmpstat(['-p'], sock)).toEqual({ code: 1, stdout: '', stderr: 'ipmpstat: probe-based failure detection is disabled\n' });
  });

  it('main(): die_ipmperr(err, "cannot snapshot IPMP state")', async () => {
    answer = refuse('EINTERNAL', 'operation failed');
    expect(await ipmpstat(['-g'], sock)).toEqual({ code: 1, stdout: '', stderr: 'ipmpstat: cannot snapshot IPMP state: operation failed\n' });
  });

  it('-j (ours) with -o or -P: an ipmpstat: line and exit 1, like every other usage error', async () => {
    expect(await ipmpstat(['-j', '-g', '-o', 'group'])).toEqual({ code: 1, stdout: '', stderr: 'ipmpstat: -j cannot be combined with -o or -P\n' });
  });
});

describe('if_mpadm: illumos texts and exit codes', () => {
  const mpadm = (argv: string[]) => runCli(runIfMpadm, argv);

  it.each<[string, string[], string]>([
    // usage(): no -d/-r
    ['usage()', [], MPADM_USAGE],
    ['usage()', ['eth0'], MPADM_USAGE],
    // getopt(3C), then usage()
    ['getopt + usage()', ['-x', 'eth0'], `if_mpadm: illegal option -- x\n${MPADM_USAGE}`],
    ['getopt + usage()', ['-d'], `if_mpadm: option requires an argument -- d\n${MPADM_USAGE}`],
    // is_offline(): die("cannot get interface flags on %s") + strerror(ENXIO)
    ['is_offline() die', ['-d', 'a:b'], 'if_mpadm: fatal: cannot get interface flags on a:b: No such device or address\n'],
    // do_offline()/undo_offline(): ipmp_*offline() → IPMP_ENOMPATHD
    ['do_offline() die', ['-s', NOWHERE, '-d', 'eth0'], 'if_mpadm: fatal: cannot offline eth0: cannot contact in.mpathd\n'],
    ['undo_offline() die', ['-s', NOWHERE, '-r', 'eth0'], 'if_mpadm: fatal: cannot undo-offline eth0: cannot contact in.mpathd\n'],
  ])('%s: %j', async (_source, argv, stderr) => {
    expect(await mpadm(argv)).toEqual({ code: 1, stdout: '', stderr });
  });

  // The daemon's refusal codes (src/engine/engine.ts) → if_mpadm's words. `lo` exists in every
  // network namespace; `nosuchnic0` in none.
  it.each<[string, string[], Answer, string]>([
    ['do_offline(): die("interface %s is already offline\\n")', ['-d', 'eth0'], refuse('EALREADY'),
      'if_mpadm: fatal: interface eth0 is already offline\n'],
    ['do_offline(): die("cannot offline %s: %s\\n", mpadm_errmsg(IPMP_EMINRED))', ['-d', 'eth1'], refuse('EMINRED'),
      'if_mpadm: fatal: cannot offline eth1: no other functioning interfaces are in its IPMP group\n'],
    ['do_offline(): die("cannot offline %s: %s\\n", mpadm_errmsg(IPMP_EUNKIF))', ['-d', 'lo'], refuse('EUNKIF'),
      'if_mpadm: fatal: cannot offline lo: not a physical interface or not in an IPMP group\n'],
    ['is_offline(): die("cannot get interface flags on %s") (offline)', ['-d', 'nosuchnic0'], refuse('EUNKIF'),
      'if_mpadm: fatal: cannot get interface flags on nosuchnic0: No such device or address\n'],
    ['undo_offline(): die("interface %s is not offline\\n")', ['-r', 'eth0'], refuse('ENOTOFFLINE'),
      'if_mpadm: fatal: interface eth0 is not offline\n'],
    ['undo_offline(): die("interface %s is not offline\\n") (a NIC in no group)', ['-r', 'lo'], refuse('EUNKIF'),
      'if_mpadm: fatal: interface lo is not offline\n'],
    ['is_offline(): die("cannot get interface flags on %s") (undo)', ['-r', 'nosuchnic0'], refuse('EUNKIF'),
      'if_mpadm: fatal: cannot get interface flags on nosuchnic0: No such device or address\n'],
    ['undo_offline(): die("cannot undo-offline %s: %s\\n", ipmp_errmsg(IPMP_EHWADDRDUP))', ['-r', 'eth1'], refuse('EHWADDRDUP'),
      'if_mpadm: fatal: cannot undo-offline eth1: interface has duplicate hardware address\n'],
    ['undo_offline(): die("cannot undo-offline %s: %s\\n")', ['-r', 'eth0'], refuse('EINTERNAL', 'operation failed'),
      'if_mpadm: fatal: cannot undo-offline eth0: operation failed\n'],
  ])('%s', async (_source, argv, reply, stderr) => {
    answer = reply;
    expect(await mpadm(['-s', sock, ...argv])).toEqual({ code: 1, stdout: '', stderr });
  });

  it('success prints nothing and exits 0, as illumos does', async () => {
    answer = { ok: true, result: null };
    expect(await mpadm(['-s', sock, '-d', 'eth0'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('getopt semantics: the last -d/-r wins; operands after the options are ignored', async () => {
    answer = refuse('ENOTOFFLINE');
    expect((await mpadm(['-s', sock, '-d', 'eth0', '-r', 'eth1', 'extra'])).stderr).toBe('if_mpadm: fatal: interface eth1 is not offline\n');
  });

  it('refusalText: EUNKIF wording depends only on whether the NIC exists', () => {
    expect(refusalText('offline', 'eth9', 'EUNKIF', '', () => true)).toBe('cannot offline eth9: not a physical interface or not in an IPMP group');
    expect(refusalText('offline', 'eth9', 'EUNKIF', '', () => false)).toBe('cannot get interface flags on eth9: No such device or address');
  });
});
