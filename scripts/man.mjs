#!/usr/bin/env node
// npm run man: man/*.<section>.md → <outdir>/*.<section> (default dist/man) with marked-man.
// The page date comes from SOURCE_DATE_EPOCH or the last commit, so rebuilds are byte-identical.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist/man'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const markedMan = join(dirname(createRequire(import.meta.url).resolve('marked-man/package.json')), 'bin/marked-man.js');

function pageDate() {
  if (process.env.SOURCE_DATE_EPOCH) return new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000);
  try {
    const epoch = execFileSync('git', ['log', '-1', '--format=%ct', '--', 'man'], { cwd: root, encoding: 'utf8' }).trim();
    if (epoch) return new Date(Number(epoch) * 1000);
  } catch {
    // Not a git checkout (e.g. an unpacked tarball): today's date is the honest fallback.
  }
  return new Date();
}

mkdirSync(outDir, { recursive: true });
const date = pageDate().toISOString().slice(0, 10);
for (const file of readdirSync(join(root, 'man')).filter((f) => /\.\d\.md$/.test(f)).sort()) {
  const page = file.slice(0, -'.md'.length);
  const section = page.slice(page.lastIndexOf('.') + 1);
  const roff = execFileSync(process.execPath, [
    markedMan, '--version', `ipmpd ${version}`, '--manual', 'ipmpd manual', '--section', section,
    '--no-breaks', '--date', date, join(root, 'man', file),
  ], { encoding: 'utf8' });
  writeFileSync(join(outDir, page), roff);
  process.stdout.write(`${join(outDir, page)}\n`);
}
