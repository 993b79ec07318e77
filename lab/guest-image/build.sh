#!/usr/bin/env bash
# The Debian 12 guest image for the image and cloud-init tests (issue 19): a bootable qcow2 built from Debian
# packages only (debootstrap, the cloud kernel, cloud-init with the NoCloud data source, openssh, GRUB for BIOS
# boot), with no keys, passwords or host names in it: cloud-init gives them. Cached by a hash of this script and
# packages.txt under ${MCVIRT_LAB_CACHE:-/var/cache/mcvirt-lab}/guest-images/KEY/; built in a temporary directory
# and renamed into place only when complete. Prints the image's path.
#   lab/guest-image/build.sh
# Needs root (debootstrap, chroot) and Debian's mirror. No loop device or mount: the root filesystem is made with
# mkfs.ext4 -d, placed at 1 MiB of a raw disk with one MBR partition, GRUB's boot sector written before it and its
# core image (with a built-in configuration that boots the kernel by the filesystem's label) in the gap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mirror=${MCVIRT_LAB_MIRROR:-http://deb.debian.org/debian}
size=${MCVIRT_GUEST_IMAGE_SIZE:-1536M}
cache=${MCVIRT_LAB_CACHE:-/var/cache/mcvirt-lab}/guest-images
key=$(cat "${BASH_SOURCE[0]}" "$here/packages.txt" <(echo "$mirror $size") | sha256sum | cut -c1-16)
out=$cache/$key
if [[ -f $out/debian12.qcow2 ]]; then
  touch "$out"
  echo "$out/debian12.qcow2"
  exit 0
fi
[[ $EUID -eq 0 ]] || { echo "build.sh: building the guest image needs root (debootstrap, chroot)" >&2; exit 1; }
# host tools: sfdisk (package fdisk) for the partition table, qemu-img for the qcow2
if ! command -v sfdisk >/dev/null || ! command -v qemu-img >/dev/null || ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fdisk qemu-utils debootstrap >&2
fi
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages.txt")
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
root=$tmp/root
cleanup() {
  umount -l "$root/proc" 2>/dev/null || true
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
started=$SECONDS
step() { echo "== guest-image: $* ($((SECONDS - started))s)" >&2; }

mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/02-build-unsafe-io"
step "debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
mount -t proc proc "$root/proc"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'EOT'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOT
# what finds the root disk, on virtio or SCSI; the rest loads from the root filesystem
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/guest-image"
printf '%s\n' virtio_pci virtio_blk virtio_scsi sd_mod ext4 crc32c_generic \
  >"$root/usr/share/initramfs-tools/modules.d/guest-image"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
in_root apt-get update -q >&2
step "installing ${#packages[@]} packages"
in_root apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/02-build-unsafe-io"

step "configuring"
# every boot of a new disk is a first boot: machine-id, host name and SSH host keys come at boot
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname" "$root"/etc/ssh/ssh_host_*
echo 'LABEL=mcvirt-root / ext4 defaults,discard 0 1' >"$root/etc/fstab"
# NoCloud only (a seed disk labelled cidata), nothing probed over the network
cat >"$root/etc/cloud/cloud.cfg.d/90-mcvirt.cfg" <<'EOT'
datasource_list: [ NoCloud, None ]
# the image has no locales but C.UTF-8 (cloud-init's default en_US.UTF-8 fails in update-locale)
locale: C.UTF-8
EOT
# the network: cloud-init writes it (ifupdown); the loopback here
cat >"$root/etc/network/interfaces" <<'EOT'
auto lo
iface lo inet loopback
source /etc/network/interfaces.d/*
EOT
in_root systemctl mask systemd-networkd-wait-online.service e2scrub_reap.service e2scrub_all.timer >&2 || true

# GRUB for BIOS boot, without grub-install (which needs a device): a core image with its configuration built in
cat >"$tmp/early.cfg" <<'EOT'
search --no-floppy --label --set=root mcvirt-root
set timeout=0
linux ($root)/vmlinuz root=LABEL=mcvirt-root ro console=tty0 console=ttyS0,115200n8
initrd ($root)/initrd.img
boot
EOT
cp "$tmp/early.cfg" "$root/tmp/early.cfg"
in_root grub-mkimage -O i386-pc -o /tmp/core.img -c /tmp/early.cfg -p /boot/grub \
  biosdisk part_msdos ext2 search search_label linux normal echo
mv "$root/tmp/core.img" "$tmp/core.img"
cp "$root/usr/lib/grub/i386-pc/boot.img" "$tmp/boot.img"
rm -f "$root/tmp/early.cfg"
umount -l "$root/proc"

step "packing"
fs_bytes=$(numfmt --from=iec "${size%B}")
truncate -s "$fs_bytes" "$tmp/root.ext4"
mkfs.ext4 -q -F -L mcvirt-root -d "$root" "$tmp/root.ext4"
rm -rf --one-file-system "$root"
core_sectors=$(( ($(stat -c %s "$tmp/core.img") + 511) / 512 ))
(( core_sectors < 2047 )) || { echo "build.sh: GRUB's core image does not fit before 1 MiB" >&2; exit 1; }
truncate -s $((fs_bytes + 1048576)) "$tmp/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$tmp/disk.raw" >&2
dd if="$tmp/root.ext4" of="$tmp/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
# the boot sector's code only (440 bytes): the partition table after it stays; the core image from sector 1
dd if="$tmp/boot.img" of="$tmp/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/core.img" of="$tmp/disk.raw" bs=512 seek=1 conv=notrunc status=none
mkdir -p "$tmp/out"
qemu-img convert -c -O qcow2 "$tmp/disk.raw" "$tmp/out/debian12.qcow2"
sha256sum "$tmp/out/debian12.qcow2" | cut -d' ' -f1 >"$tmp/out/sha256"
mv -T "$tmp/out" "$out"
step "built $out ($(du -h "$out/debian12.qcow2" | cut -f1))"
# keep the two most recently used
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name 'tmp.*' -printf '%T@ %p\n' | sort -rn | tail -n +3 |
  while read -r _ old; do rm -rf --one-file-system "$old"; done
echo "$out/debian12.qcow2"
