#!/usr/bin/env node
// npm pack (prepack): puts the addon that npm ci / npm run build compiled on this machine into
// prebuilds/<platform>-<arch>/ under the name node-gyp-build matches (N-API, glibc), so the
// packed tarball installs without a compiler. `node scripts/prebuild.mjs --clean` (postpack)
// removes it again: in the checkout build/Release is the addon, and npm ci keeps building it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prebuilds = join(root, 'prebuilds');
rmSync(prebuilds, { recursive: true, force: true });
if (process.argv[2] === '--clean') process.exit(0);

const built = join(root, 'build/Release/ipmpd_socket.node');
if (!existsSync(built)) {
  console.error(`prebuild: ${built} missing: run npm ci (or npm run build) first`);
  process.exit(1);
}
for (const f of ['dist/src/cli/ipmpd.js', 'dist/src/sys/addon.js']) {
  if (!existsSync(join(root, f))) {
    console.error(`prebuild: ${f} missing: run npm run build:ts first`);
    process.exit(1);
  }
}
// node-gyp-build reads the tags from the file name: napi (any Node with N-API 8, see
// binding.gyp) and glibc (musl systems fall back to building from source).
const dir = join(prebuilds, `${process.platform}-${process.arch}`);
const out = join(dir, 'ipmpd_socket.napi.glibc.node');
mkdirSync(dir, { recursive: true });
copyFileSync(built, out);
execFileSync('strip', ['--strip-unneeded', out]);
console.error(`prebuild: ${out.slice(root.length + 1)}`);
