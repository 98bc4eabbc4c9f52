// ipmpctl migrate writes every finding as a comment above the YAML element it concerns (with
// the Solaris file:line), a summary on top; ipmpctl check of that YAML reports them again
// until the comments are deleted.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/cli/ipmpctl-check.js';
import { runMigrate } from '../../../src/cli/ipmpctl-migrate.js';
import { findingsFromNotes, placeFindings } from '../../../src/config/migration-notes.js';
import { makeFinding } from '../../../src/config/findings.js';
import { runCli } from '../../helpers/cli-io.js';

const SEED = 'test/fixtures/solaris/appserver-seed';
const tmp = mkdtempSync(join(tmpdir(), 'ipmpd-notes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A Solaris tree from file contents (paths under etc/). */
function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, 'etc', p, '..'), { recursive: true });
    writeFileSync(join(root, 'etc', p), text);
  }
  return root;
}

async function migrate(dir: string, map: string[]): Promise<{ code: number; yaml: string; stderr: string; out: string }> {
  const out = join(tmp, `${dir.split('/').pop()}-${Math.random().toString(36).slice(2)}.yaml`);
  const r = await runCli(runMigrate, [dir, ...map, '-o', out]);
  return { code: r.code, yaml: readFileSync(out, 'utf8'), stderr: r.stderr, out };
}

/** The first content line under the comment naming `code`, and the comment itself. */
function noteOf(yaml: string, code: string): { comment: string; below: string } {
  const lines = yaml.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^\\s*# ipmpctl migrate: \\w+ ${code} `).test(l));
  if (i < 0) throw new Error(`no ${code} comment in:\n${yaml}`);
  let j = i + 1;
  while (j < lines.length && /^\s*#/.test(lines[j]!)) j++;
  return { comment: lines[i]!, below: lines[j] ?? '' };
}

const noteLines = (yaml: string): string[] => yaml.split('\n').filter((l) => /^\s*# ipmpctl migrate: /.test(l));

describe('the seed appserver configuration (DUPLICATE_DATA_ADDRESS)', () => {
  it('migrate writes the error above the data address it kept, with the Solaris file:line, and counts it on top', async () => {
    const m = await migrate(SEED, ['--map', 'ce0=eth0,ce1=eth1']);
    expect(m.code).toBe(1);
    const { comment, below } = noteOf(m.yaml, 'DUPLICATE_DATA_ADDRESS');
    expect(comment).toMatch(/^ {6}# ipmpctl migrate: error DUPLICATE_DATA_ADDRESS etc\/hostname\.ce1:1 data address 192\.0\.2\.100\/24 /);
    expect(below).toBe('      - address: 192.0.2.100/24');
    expect(m.yaml.split('\n').slice(0, 2)).toEqual([
      `# ipmpd configuration migrated from ${SEED} by ipmpctl migrate`,
      '# findings: 1 error(s), 0 warning(s), 0 info',
    ]);
  });

  it('check of that YAML reports the error at the comment, until the comment is deleted', async () => {
    const m = await migrate(SEED, ['--map', 'ce0=eth0,ce1=eth1']);
    const c = await runCli(runCheck, [m.out]);
    expect(c.code).toBe(1);
    const line = m.yaml.split('\n').findIndex((l) => l.includes('# ipmpctl migrate: error DUPLICATE_DATA_ADDRESS')) + 1;
    const [only, ...rest] = c.stderr.trim().split('\n');
    expect(rest).toEqual([]);
    expect(only!.startsWith(`error DUPLICATE_DATA_ADDRESS ${m.out}:${line}:7 data address 192.0.2.100/24 `)).toBe(true);
    expect(only!.endsWith('(found by ipmpctl migrate in etc/hostname.ce1:1; delete this comment once it is dealt with)')).toBe(true);
    writeFileSync(m.out, m.yaml.split('\n').filter((l) => !l.includes('# ipmpctl migrate:')).join('\n'));
    const after = await runCli(runCheck, [m.out, '-j']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).findings).toEqual([]);
  });
});

describe('each finding sits above the element it concerns', () => {
  const base = { 'inet/netmasks': '192.0.2.0 255.255.255.0\n', defaultrouter: '192.0.2.254\n' };
  it.each([
    ['test address not deprecated → the test address',
      { ...base, 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 -failover up\naddif 192.0.2.100 netmask + broadcast + up\n', 'hostname.ce1': '192.0.2.11 netmask + broadcast + group g0 deprecated -failover up\n' },
      'TEST_ADDRESS_NOT_DEPRECATED', /^ {10}- 192\.0\.2\.10\/24$/, 'etc/hostname.ce0:1'],
    ['unmapped NIC → its member entry',
      { ...base, 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 deprecated -failover up\n', 'hostname.ce1': '192.0.2.11 netmask + broadcast + group g0 deprecated -failover up\n' },
      'UNMAPPED_INTERFACE', /^ {6}- name: ce1$/, 'etc/hostname.ce1:1'],
    ['FAILURE_DETECTION_TIME in seconds → that key',
      { ...base, 'default/mpathd': 'FAILBACK=yes\nFAILURE_DETECTION_TIME=10\n', 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 deprecated -failover up\n', 'hostname.ce1': '192.0.2.11 netmask + broadcast + group g0 deprecated -failover up\n' },
      'FDT_LOOKS_LIKE_SECONDS', /^ {2}failureDetectionTime: 100$/, 'etc/default/mpathd:2'],
    ['single-member group → the group',
      { ...base, 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 deprecated -failover up\naddif 192.0.2.100 netmask + broadcast + up\n' },
      'SINGLE_INTERFACE_GROUP', /^ {2}- name: g0$/, 'etc/hostname.ce0:1'],
    ['data address never up → that address',
      { ...base, 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 deprecated -failover up\naddif 192.0.2.100 netmask + broadcast\n', 'hostname.ce1': '192.0.2.11 netmask + broadcast + group g0 deprecated -failover up\n' },
      'ADDRESS_NOT_UP', /^ {6}- address: 192\.0\.2\.100\/24$/, 'etc/hostname.ce0:2'],
    ['an ungrouped NIC is in nothing of the file → the header',
      { ...base, 'hostname.ce0': '192.0.2.10 netmask + broadcast + group g0 deprecated -failover up\n', 'hostname.ce1': '192.0.2.11 netmask + broadcast + group g0 deprecated -failover up\n', 'hostname.ce2': '192.0.2.50 netmask + broadcast + up\n' },
      'NOT_IN_GROUP', /^$/, 'etc/hostname.ce2:0'],
  ])('%s', async (name, files, code, below, where) => {
    const m = await migrate(tree(name.replace(/\W+/g, '-'), files), ['--map', 'ce0=eth0']);
    const note = noteOf(m.yaml, code);
    expect(note.comment).toContain(` ${code} ${where} `);
    expect(note.below).toMatch(below);
    // On stderr too, once, and check repeats it.
    expect(m.stderr.split('\n').filter((l) => l.includes(` ${code} `))).toHaveLength(1);
    const c = await runCli(runCheck, [m.out]);
    expect(c.stderr.split('\n').filter((l) => l.includes(` ${code} `))).toHaveLength(1);
  });
});

describe('every fixture: no finding lost, none doubled', () => {
  const fixtures = readdirSync('test/fixtures/solaris').map((d) => `test/fixtures/solaris/${d}`);
  it.each(fixtures)('%s', async (dir) => {
    const map = ['--map', 'ce0=eth0,ce1=eth1,net0=eth0,net1=eth1,net2=eth2'];
    const r = await runCli(runMigrate, [dir, ...map, '-j']);
    const findings = (JSON.parse(r.stdout) as { findings: { code: string; severity: string }[] }).findings;
    const m = await migrate(dir, map);
    expect(noteLines(m.yaml)).toHaveLength(findings.length);
    const c = await runCli(runCheck, [m.out, '-j']);
    const again = (JSON.parse(c.stdout) as { findings: { code: string; severity: string }[] }).findings;
    const key = (f: { code: string; severity: string }): string => `${f.severity} ${f.code}`;
    expect(again.map(key).sort()).toEqual(findings.map(key).sort());
    expect(c.code).toBe(r.code);
  });
});

describe('placeFindings and findingsFromNotes', () => {
  const origins = new Map([
    ['groups.0', { file: 'etc/hostname.ce0', line: 1 }],
    ['groups.0.interfaces.0', { file: 'etc/hostname.ce0', line: 1 }],
    ['groups.0.interfaces.0.testAddresses.0', { file: 'etc/hostname.ce0', line: 1 }],
    ['groups.0.dataAddresses.0', { file: 'etc/hostname.ce0', line: 2 }],
    ['mpathd.failback', { file: 'etc/default/mpathd', line: 3 }],
  ]);
  it.each([
    ['named element wins', makeFinding('SINGLE_INTERFACE_GROUP', 'etc/hostname.ce0', 1, 'm', undefined, 'groups.0'), 'groups.0'],
    ['same line: the member before its address and group', makeFinding('LITERAL_QUOTES', 'etc/hostname.ce0', 1, 'm'), 'groups.0.interfaces.0'],
    ['a line of its own', makeFinding('NETMASK_CLASSFUL', 'etc/hostname.ce0', 2, 'm'), 'groups.0.dataAddresses.0'],
    ['mpathd key', makeFinding('INVALID_MPATHD_VALUE', 'etc/default/mpathd', 3, 'm'), 'mpathd.failback'],
    ['other line of a member file → the member', makeFinding('TRAILING_BLANK_LINE', 'etc/hostname.ce0', 4, 'm'), 'groups.0.interfaces.0'],
    ['file-level, member file → the member', makeFinding('NO_FINAL_NEWLINE', 'etc/hostname.ce0', 0, 'm'), 'groups.0.interfaces.0'],
    ['another file → header', makeFinding('HOSTS_BAD_LINE', 'etc/inet/hosts', 7, 'm'), undefined],
  ])('%s', (_name, f, element) => {
    const p = placeFindings([f], origins);
    if (element === undefined) expect(p.unplaced).toEqual([f]);
    else expect([...p.byElement]).toEqual([[element, [f]]]);
  });

  it('reads only its own comments with a known code, at their lines, with the line they sit above', () => {
    const text = [
      '# ipmpctl migrate: warning UNMAPPED_INTERFACE etc/hostname.ce1:1 ce1 unmapped',
      'groups:',
      '  # ipmpctl migrate: error NOT_A_REAL_CODE etc/x:1 ignored',
      '  # some other comment: error DUPLICATE_DATA_ADDRESS etc/x:1 not ours',
      '  #ipmpctl migrate: info NO_TEST_ADDRESS etc/hostname.ce0:1 no test address',
      '',
      '  - name: g',
    ].join('\n');
    const notes = findingsFromNotes(text, 'f.yaml');
    expect(notes.map((n) => [n.finding.severity, n.finding.code, n.finding.line, n.finding.column, n.above])).toEqual([
      ['warning', 'UNMAPPED_INTERFACE', 1, 1, 2],
      ['info', 'NO_TEST_ADDRESS', 5, 3, 7],
    ]);
    expect(notes[0]!.finding.message).toBe('ce1 unmapped (found by ipmpctl migrate in etc/hostname.ce1:1; delete this comment once it is dealt with)');
  });
});
