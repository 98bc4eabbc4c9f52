// Man pages: generated from man/*.md by `npm run man`, rendered by groff without a warning,
// and true to the code (every option each tool's --help lists, every ipmpstat field, the files).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIfMpadm } from '../../../src/cli/if_mpadm.js';
import { runIpmpctl } from '../../../src/cli/ipmpctl.js';
import { DEFAULT_CONFIG_PATH, runIpmpd } from '../../../src/cli/ipmpd.js';
import { runIpmpstat } from '../../../src/cli/ipmpstat.js';
import { FIELDS_BY_MODE } from '../../../src/cli/ipmpstat-fields.js';
import { DEFAULT_SOCKET_PATH } from '../../../src/control/protocol.js';
import { readOnlySocketPath } from '../../../src/control/socket-path.js';
import { LOCK_NAME } from '../../../src/daemon/instance-lock.js';
import { runCli } from '../../helpers/cli-io.js';
import { repoPath } from './repo.js';
import { needTool, run } from './tools.js';

export const MAN_PAGES = ['ipmpd.8', 'ipmpstat.8', 'if_mpadm.8', 'ipmpctl.8', 'ipmpd.yaml.5'];
const source = (page: string): string => readFileSync(repoPath(`man/${page}.md`), 'utf8');

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'ipmpd-man-'));
  const r = run(process.execPath, [repoPath('scripts/man.mjs'), out], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  if (r.status !== 0) throw new Error(`npm run man failed: ${r.stderr}`);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const groff = (file: string): ReturnType<typeof run> => run('groff', ['-ww', '-man', '-Tutf8', file]);

describe('man pages', () => {
  it('generates exactly the five pages, dated from SOURCE_DATE_EPOCH, with the package version', () => {
    expect(readdirSync(out).sort()).toEqual([...MAN_PAGES].sort());
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
    for (const page of MAN_PAGES) {
      expect(readFileSync(join(out, page), 'utf8')).toContain(`"November 2023" "ipmpd ${pkg.version}" "ipmpd manual"`);
    }
  });

  it.for(MAN_PAGES)('%s renders with groff -ww -man without a warning', (page, ctx) => {
    needTool(ctx, 'groff', 'groff-base');
    const text = readFileSync(join(out, page), 'utf8');
    // The render below runs no preprocessor, so a tbl table would come out as raw text.
    expect(text).not.toMatch(/^\.TS/m);
    const r = groff(join(out, page));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/.\x08/g, '')).toMatch(/^NAME$/m); // drop overstrike bold
  });

  it('the groff check can fail: an undefined macro is reported', (ctx) => {
    needTool(ctx, 'groff', 'groff-base');
    const bad = join(out, 'broken.8');
    writeFileSync(bad, '.TH BROKEN 8\n.SH NAME\nbroken\n.XQ\n');
    try {
      expect(groff(bad).stderr).toMatch(/XQ/);
    } finally {
      rmSync(bad);
    }
  });
});

describe('man pages match the code', () => {
  // Option words as --help prints them: "-o", "--log-level", but not "read-only" or "-ro.sock".
  const optionsIn = (help: string): string[] => [...new Set([...help.matchAll(/(?<![\w.<>-])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1] as string))];

  it.each([
    ['ipmpd.8', runIpmpd], ['ipmpstat.8', runIpmpstat], ['if_mpadm.8', runIfMpadm], ['ipmpctl.8', runIpmpctl],
  ] as const)('%s documents every option its --help lists', async (page, fn) => {
    const help = (await runCli(fn, ['--help'])).stdout;
    const opts = optionsIn(help);
    expect(opts.length).toBeGreaterThan(2);
    const md = source(page);
    expect(opts.filter((o) => !md.includes(`\`${o}\``))).toEqual([]);
  });

  it('ipmpstat.8 names every output field of every mode', () => {
    const md = source('ipmpstat.8');
    const fields = Object.values(FIELDS_BY_MODE).flatMap((fs) => fs.map((f) => f.name));
    expect(fields.filter((f) => !md.includes(`\`${f}\``))).toEqual([]);
  });

  it('ipmpd.8 lists the files the daemon really uses', () => {
    const md = source('ipmpd.8');
    const dir = dirname(DEFAULT_SOCKET_PATH);
    for (const path of [DEFAULT_CONFIG_PATH, DEFAULT_SOCKET_PATH, readOnlySocketPath(DEFAULT_SOCKET_PATH), join(dir, LOCK_NAME), join(dir, 'ipmpd.state'), '/etc/default/ipmpd']) {
      expect(md).toContain(`\`${path}\``);
    }
    expect(source('ipmpd.yaml.5')).toContain(`\`${DEFAULT_CONFIG_PATH}\``);
  });
});
