#!/usr/bin/env bash
# npm run package:deb [OUTDIR]: builds dist/deb/ipmpd_<version>_<arch>.deb from the already
# built tree (npm ci / npm run build), offline, with dpkg-deb. Only runtime files go in.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/dist/deb}" && cd "${1:-$root/dist/deb}" && pwd)
cd "$root"

die() { echo "package-deb: $*" >&2; exit 1; }
addon=build/Release/ipmpd_socket.node
[ -f "$addon" ] || die "$addon missing: run npm ci (or npm run build) first"
[ -f dist/src/cli/ipmpd.js ] || die "dist/src missing: run npm run build:ts first"

version=$(node -p "require('./package.json').version")
arch=$(dpkg --print-architecture)
# Same timestamp on every rebuild of one commit (changelog, man page dates).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/root
lib=$pkg/usr/lib/ipmpd

# The program: compiled JS without source maps, the addon, and binding.gyp, which the addon
# loader looks for to find the package root.
mkdir -p "$lib/dist" "$lib/build/Release"
cp -r dist/src "$lib/dist/src"
find "$lib/dist" -name '*.map' -delete
cp package.json binding.gyp "$lib/"
cp "$addon" "$lib/build/Release/"
strip --strip-unneeded "$lib/build/Release/ipmpd_socket.node"

# Production dependencies, copied from node_modules (no network). node-addon-api is only
# C++ headers for building the addon, so it stays out.
npm ls --omit=dev --all --parseable | sed "s|^$root/||" \
  | grep -E '^node_modules/(@[^/]+/)?[^/@]+$' | grep -v '^node_modules/node-addon-api$' \
  | while read -r dep; do mkdir -p "$lib/$(dirname "$dep")"; cp -r "$dep" "$lib/$dep"; done
# What those packages ship for their own development (tests, docs, type declarations, VCS and
# CI files) is not needed to run them.
find "$lib/node_modules" \( -type d \( -name test -o -name tests -o -name docs -o -name benchmarks -o -name '.husky' -o -name '.github' \) -prune \
  -o -type f \( -name '.git*' -o -name '.npmignore' -o -name '.eslintrc*' -o -name '*.md' -o -name '*.html' -o -name '*.sh' -o -name '*.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \) \) \
  -exec rm -rf {} +

# Commands: small wrappers so Debian's node runs them whatever PATH says.
# Node options a program's shebang asks for (`#!/usr/bin/env -S node --opt`) go with it.
wrap() {
  mkdir -p "$pkg/$1"
  local flags
  flags=$(sed -n '1s|^#!/usr/bin/env -S node||p' "dist/src/cli/$2.js")
  printf '#!/bin/sh\nexec /usr/bin/node%s /usr/lib/ipmpd/dist/src/cli/%s.js "$@"\n' "$flags" "$2" > "$pkg/$1/$2"
}
for t in ipmpd ipmpstat if_mpadm; do wrap usr/sbin "$t"; done
wrap usr/bin ipmpctl

# The unit, pointed at the packaged daemon; installed, not enabled.
mkdir -p "$pkg/lib/systemd/system"
sed 's|^ExecStart=/usr/local/bin/ipmpd |ExecStart=/usr/sbin/ipmpd |' systemd/ipmpd.service > "$pkg/lib/systemd/system/ipmpd.service"
grep -q '^ExecStart=/usr/sbin/ipmpd ' "$pkg/lib/systemd/system/ipmpd.service" || die "ExecStart in systemd/ipmpd.service changed shape"

mkdir -p "$pkg/etc/ipmpd" "$pkg/etc/default" "$pkg/etc/iproute2/rt_protos.d"
cp packaging/ipmpd.yaml.example "$pkg/etc/ipmpd/"
cp packaging/default/ipmpd "$pkg/etc/default/ipmpd"
cp packaging/rt_protos.d/ipmpd.conf "$pkg/etc/iproute2/rt_protos.d/"

node scripts/man.mjs "$stage/man" > /dev/null
for page in "$stage"/man/*; do
  name=$(basename "$page")
  mkdir -p "$pkg/usr/share/man/man${name##*.}"
  gzip -9n < "$page" > "$pkg/usr/share/man/man${name##*.}/$name.gz"
done

# Bash completion: one file, found by bash-completion under each command's name.
comp=$pkg/usr/share/bash-completion/completions
mkdir -p "$comp"
cp completions/ipmpd.bash "$comp/ipmpd"
for t in ipmpstat if_mpadm ipmpctl; do ln -s ipmpd "$comp/$t"; done

doc=$pkg/usr/share/doc/ipmpd
mkdir -p "$doc"
cp packaging/deb/copyright "$doc/"
for f in README.md docs/configuration.md docs/migrating.md; do [ -f "$f" ] && cp "$f" "$doc/"; done
maintainer=${DEB_MAINTAINER:-'ipmpd maintainers <ipmpd@example.org>'}
printf 'ipmpd (%s) unstable; urgency=medium\n\n  * Built from the ipmpd source tree.\n\n -- %s  %s\n' \
  "$version" "$maintainer" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")" | gzip -9n > "$doc/changelog.gz"

# Modes do not depend on the builder's umask: scripts executable, everything else not.
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -type f -exec chmod 0644 {} +
chmod 0755 "$pkg"/usr/sbin/* "$pkg"/usr/bin/*
# One node process rather than a fork per file: marks every file that starts with "#!".
find "$lib" -type f -print0 | node -e '
  const fs = require("node:fs");
  const files = fs.readFileSync(0, "utf8").split("\0").filter(Boolean);
  for (const f of files) {
    const b = Buffer.alloc(2); const fd = fs.openSync(f, "r"); fs.readSync(fd, b, 0, 2, 0); fs.closeSync(fd);
    if (b.toString("latin1") === "#!") fs.chmodSync(f, 0o755);
  }'

mkdir -p "$pkg/DEBIAN"
for s in postinst prerm postrm; do install -m 0755 "packaging/deb/$s" "$pkg/DEBIAN/$s"; done
(cd "$pkg" && find etc -type f | sed 's|^|/|' | sort) > "$pkg/DEBIAN/conffiles"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: ipmpd
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: nodejs (>= 20), libc6, libgcc-s1, libstdc++6
Section: net
Priority: optional
Description: IP multipathing daemon with Solaris IPMP semantics
 ipmpd keeps the data addresses of each IPMP group on a working NIC, detects
 failures by link state and by probes from test addresses, announces every
 move with gratuitous ARP or unsolicited neighbour advertisements, and fails
 back on repair. It reads Solaris configurations or its own YAML, and ships
 ipmpstat, if_mpadm and ipmpctl.
CONTROL
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

deb=$out/ipmpd_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" > /dev/null
echo "$deb"
