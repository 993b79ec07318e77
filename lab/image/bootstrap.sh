#!/usr/bin/env bash
# Stage 1 of the lab image: a Debian bookworm rootfs with the packages of packages.txt.
#   bootstrap.sh ROOTFS_DIR
# ROOTFS_DIR must not exist yet. Needs root and Debian's mirror (the lab's only outside access).
# Called by lab/up through lib.sh (ensure_image), which caches the result by a hash of this file and
# packages.txt and renames it into place only when this script succeeded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${1:?usage: bootstrap.sh ROOTFS_DIR}
mirror=${MCVIRT_LAB_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

[[ ! -e $root ]] || { echo "bootstrap.sh: $root already exists" >&2; exit 1; }

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages.txt")

debootstrap --variant=minbase "$suite" "$root" "$mirror"

unmount_proc() { umount -l "$root/proc" 2>/dev/null || true; }
trap unmount_proc EXIT
mount -t proc proc "$root/proc"

# No daemon may start inside the chroot; no docs, man pages or translations; no fsync per file.
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
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/02-lab-unsafe-io"

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
in_root apt-get update -q
# apt in a chroot without /dev/pts says "E: Can not write log (Is /dev/pts mounted?)": harmless.
in_root apt-get install -y -q --no-install-recommends "${packages[@]}"
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/02-lab-unsafe-io"

unmount_proc
trap - EXIT
ls "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* >/dev/null
