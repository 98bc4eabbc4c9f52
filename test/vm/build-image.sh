#!/usr/bin/env bash
# npm run lab:image: builds (once) the Debian 13 guest image of the VM lab and prints its directory.
#   <cache>/<key>/vmlinuz, initrd.img, rootfs.ext4
# The key is a hash of this script, the package and module lists and the guest files, so a
# change to any of them builds a new image and an unchanged tree reuses the cached one. The
# cache lives outside the clone: IPMPD_LAB_CACHE, default /var/cache/ipmpd-lab.
# Only Debian's mirror is used (IPMPD_LAB_MIRROR, default http://deb.debian.org/debian).
# ipmpd itself is not in the image: the lab installs the .deb of the tree under test at boot.
# --key prints the key and exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=trixie
mirror=${IPMPD_LAB_MIRROR:-http://deb.debian.org/debian}
cache=${IPMPD_LAB_CACHE:-/var/cache/ipmpd-lab}

die() { echo "lab:image: $*" >&2; exit 1; }
key=$( (cd "$here" && cat build-image.sh packages.txt modules.txt guest/*; echo "$suite") | sha256sum | cut -c1-16)
[ "${1:-}" = --key ] && { echo "$key"; exit 0; }
out=$cache/$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mkfs.ext4 -d with root-owned files)"
for t in debootstrap mkfs.ext4 chroot; do command -v "$t" > /dev/null || die "$t missing (apt-get install debootstrap e2fsprogs)"; done
mkdir -p "$cache"
# One builder at a time; a second caller waits and then finds the image.
exec 8> "$cache/.lock"
flock 8
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

start=$(date +%s)
work=$(mktemp -d "$cache/build.XXXXXX")
cleanup() {
  for m in proc sys dev; do umount -l "$work/root/$m" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
log=$work/build.log
step() { echo "lab:image: $* ($(($(date +%s) - start)) s)" >&2; }

pkgs=$(grep -v '^#' "$here/packages.txt" | xargs | tr ' ' ,)
# The debootstrap result is kept by its own key (suite + package list), so changing only the
# later steps (modules, guest files) does not download and unpack the system again.
base_key=$(printf '%s %s %s' "$suite" "$mirror" "$pkgs" | sha256sum | cut -c1-16)
base=$cache/debootstrap-$base_key.tar
if [ -f "$base" ]; then
  step "unpacking the cached debootstrap $base"
  mkdir "$root" && tar -C "$root" -xf "$base"
else
  step "debootstrap $suite from $mirror"
  mkdir -p "$cache/debs"
  debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$pkgs" "$suite" "$root" "$mirror" > "$log" 2>&1 \
    || { tail -30 "$log" >&2; die "debootstrap failed (log above)"; }
  rm -f "$cache"/debootstrap-*.tar
  tar -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
fi

kver=$(find "$root/lib/modules/" -mindepth 1 -maxdepth 1 -printf "%f\n" | head -1)
step "kernel $kver: keeping only the lab's modules"
keep=$work/keep
: > "$keep"
# The guest's own kmod resolves the dependencies (the machine building the image may have none).
while read -r m; do
  chroot "$root" modprobe -S "$kver" --show-depends "$m" 2> /dev/null | awk '$1 == "insmod" { print $2 }' >> "$keep" || true
done < <(grep -v '^#' "$here/modules.txt")
# A module listed but absent is either built in (fine) or gone from Debian's kernel (the lab would fail later, loudly).
[ -s "$keep" ] || die "no module of modules.txt resolved in the guest"
(cd "$root" && find "lib/modules/$kver/kernel" -type f -name '*.ko*' | sed 's|^|/|' | sort) > "$work/all"
sed "s|^/usr/lib/|/lib/|" "$keep" | sort -u > "$work/keep.sorted"
comm -23 "$work/all" "$work/keep.sorted" | sed "s|^|$root|" | xargs -r rm -f
find "$root/lib/modules/$kver/kernel" -type d -empty -delete
chroot "$root" depmod "$kver"
step "kept $(wc -l < "$work/keep.sorted") modules"
rm -rf "$root"/usr/lib/firmware/* "$root"/lib/firmware/* 2> /dev/null || true

step "guest configuration"
install -m 0755 "$here/guest/lab-agent" "$root/usr/local/sbin/lab-agent"
install -m 0644 "$here/guest/lab-agent.service" "$root/etc/systemd/system/lab-agent.service"
ln -sf /etc/systemd/system/lab-agent.service "$root/etc/systemd/system/sysinit.target.wants/lab-agent.service"
echo lab > "$root/etc/hostname"
printf '/dev/vda / ext4 defaults,noatime 0 1\n' > "$root/etc/fstab"
# NICs named by their permanent MAC (VLANs, bonds and macvlans have none, so they keep their names).
# host: 52:54:00:a0:00:0N -> netN (virtio, virtio, e1000); peer: 52:54:00:b0:00:0N -> netN.
mkdir -p "$root/etc/systemd/network"
for r in a0 b0; do
  for n in 0 1 2; do
    printf '[Match]\nPermanentMACAddress=52:54:00:%s:00:0%s\n\n[Link]\nName=net%s\n' "$r" "$n" "$n" \
      > "$root/etc/systemd/network/10-lab-$r-net$n.link"
  done
done
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRateLimitBurst=0\n' > "$root/etc/systemd/journald.conf.d/lab.conf"
# Nothing the lab does not need slows the boot.
for u in systemd-udev-settle.service getty@tty1.service serial-getty@ttyS0.service apt-daily.timer \
  apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
  systemd-timesyncd.service dpkg-db-backup.timer systemd-networkd-wait-online.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$u"
done
chroot "$root" passwd -d root > /dev/null
# The modules the initrd needs to mount the root disk, and nothing else (6 MB instead of 36 MB).
printf 'virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n' > "$root/etc/initramfs-tools/modules"
sed -i 's/^MODULES=.*/MODULES=list/; s/^COMPRESS=.*/COMPRESS=gzip/' "$root/etc/initramfs-tools/initramfs.conf"
for m in proc sys dev; do mount --bind "/$m" "$root/$m"; done
chroot "$root" update-initramfs -u -k "$kver" >> "$log" 2>&1 || { tail -30 "$log" >&2; die "update-initramfs failed"; }
chroot "$root" mandb -q > /dev/null 2>&1 || true
for m in proc sys dev; do umount -l "$root/$m"; done
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/locale/* "$root"/usr/share/doc/*

step "root disk image"
mkdir -p "$work/out"
cp "$root/boot/vmlinuz-$kver" "$work/out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/out/initrd.img"
rm -f "$root"/boot/initrd.img-*
size=$(( $(du -sm "$root" | cut -f1) + 400 ))
mkfs.ext4 -q -L labroot -d "$root" "$work/out/rootfs.ext4" "${size}M" >> "$log" 2>&1 || { tail -20 "$log" >&2; die "mkfs.ext4 -d failed"; }
printf 'suite=%s\nkernel=%s\nbuilt=%s\nseconds=%s\n' "$suite" "$kver" "$(date -u +%FT%TZ)" "$(($(date +%s) - start))" > "$work/out/done"
rm -rf "$out"
mv "$work/out" "$out"
# Older images (other keys) are left for concurrent runs of other trees; remove by hand if space matters.
step "image ready in $out"
echo "$out"
