#!/usr/bin/env bash
# Stage 1 of the lab image: a Debian bookworm rootfs with the packages of packages.txt.
#   bootstrap.sh ROOTFS_DIR
# ROOTFS_DIR must not exist yet. Needs root and Debian's mirror (the lab's only outside access).
# Called by lab/up (ensure_image), which caches the result by a hash of this file and packages.txt
# and renames it into place only when this script succeeded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${1:?usage: bootstrap.sh ROOTFS_DIR}
mirror=${MCVIRT_LAB_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

[[ ! -e $root ]] || { echo "bootstrap.sh: $root already exists" >&2; exit 1; }
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages.txt")
started=$SECONDS
step() { echo "== bootstrap.sh: $* ($((SECONDS - started))s)"; }

# dpkg without an fsync per file, from the first package on (removed at the end).
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/02-lab-unsafe-io"
step "debootstrap $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror"
step "debootstrap done"

unmount_proc() { umount -l "$root/proc" 2>/dev/null || true; }
trap unmount_proc EXIT
mount -t proc proc "$root/proc"

# No daemon may start inside the chroot; no docs, man pages or translations.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/dpkg/dpkg.cfg.d/01-lab-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
# A small initrd with what finds and mounts the root disk: virtio disk and ext4 (Debian's default
# MODULES=most makes 40 MB and takes ~40 s, twice). All else loads from the root filesystem.
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/mcvirt-lab"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic \
  >"$root/usr/share/initramfs-tools/modules.d/mcvirt-lab"

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
in_root apt-get update -q
step "installing ${#packages[@]} packages"
# apt in a chroot without /dev/pts says "E: Can not write log (Is /dev/pts mounted?)": harmless.
in_root apt-get install -y -q --no-install-recommends "${packages[@]}"
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/02-lab-unsafe-io"
step "packages installed"

unmount_proc
trap - EXIT
ls "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* >/dev/null
