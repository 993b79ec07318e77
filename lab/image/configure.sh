#!/usr/bin/env bash
# Stage 2 of the lab image: configure a copy of the stage-1 rootfs for the two lab nodes and pack it
# into an ext4 raw image (mkfs.ext4 -d, no loop mount), next to the kernel and initrd QEMU boots.
#   configure.sh ROOTFS_DIR KEYS_DIR OUT_DIR
# ROOTFS_DIR is not modified. OUT_DIR must not exist yet; it gets root.raw, vmlinuz, initrd.img.
# KEYS_DIR holds the lab client key (lab_ed25519) and one host key per node (node1_ed25519_key, ...).
# Called by lab/up through ensure_image, which renames OUT_DIR into the cache only on success.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_root=${1:?usage: configure.sh ROOTFS_DIR KEYS_DIR OUT_DIR}
keys=${2:?usage: configure.sh ROOTFS_DIR KEYS_DIR OUT_DIR}
out=${3:?usage: configure.sh ROOTFS_DIR KEYS_DIR OUT_DIR}
image_size=${MCVIRT_LAB_IMAGE_SIZE:-6G}
nodes=(node1 node2)

[[ ! -e $out ]] || { echo "configure.sh: $out already exists" >&2; exit 1; }
mkdir -p "$out"
root=$out/rootfs
cp -a "$source_root" "$root"

# Files of lab/image/rootfs, owned by root, keeping their modes (and /lib -> usr/lib symlinks intact).
tar -C "$here/rootfs" --owner=0 --group=0 --numeric-owner -cf - etc usr |
  tar -C "$root" --keep-directory-symlink -xpf -

# Each boot of a fresh overlay is a first boot: own machine-id; hostname from systemd.hostname=.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname"

# SSH: no host keys generated in the chroot (they would be shared); one pre-generated key per node,
# installed at boot by mcvirt-lab-hostkey.service. Root logs in with the lab key, and the nodes
# reach each other over the wire by name (node1, node2) with the same key, host keys known.
rm -f "$root"/etc/ssh/ssh_host_*
install -d -m 700 "$root/etc/ssh/lab-hostkeys" "$root/root/.ssh"
: >"$root/root/.ssh/known_hosts"
for node in "${nodes[@]}"; do
  install -m 600 "$keys/${node}_ed25519_key" "$root/etc/ssh/lab-hostkeys/"
  install -m 644 "$keys/${node}_ed25519_key.pub" "$root/etc/ssh/lab-hostkeys/"
  wire_ip=$(awk -v n="$node" '$2 == n {print $1}' "$root/etc/hosts")
  echo "$node,$wire_ip $(cut -d' ' -f1,2 "$keys/${node}_ed25519_key.pub")" >>"$root/root/.ssh/known_hosts"
done
install -m 600 "$keys/lab_ed25519.pub" "$root/root/.ssh/authorized_keys"
install -m 600 "$keys/lab_ed25519" "$root/root/.ssh/id_ed25519"
install -m 644 "$keys/lab_ed25519.pub" "$root/root/.ssh/id_ed25519.pub"

# mcvirt's file storage pool
install -d -m 755 "$root/var/lib/mcvirt/images"

# Services: networkd with static addresses; never wait for "online"; libvirt's stock NAT network
# stays defined but does not autostart (the lab's own networks come from manifests).
in_root() { chroot "$root" env LC_ALL=C "$@"; }
in_root systemctl enable systemd-networkd.service mcvirt-lab-hostkey.service mcvirt-lab-vg0.service \
  mcvirt-lab-qemu-caps.service libvirtd.service
# Nothing on the boot path that a throwaway lab node does not need (libvirt-guests only saves and
# resumes guests across a host reboot; domain autostart is libvirtd's own).
in_root systemctl mask systemd-networkd-wait-online.service e2scrub_reap.service e2scrub_all.timer
in_root systemctl disable libvirt-guests.service
in_root systemctl set-default multi-user.target
rm -f "$root/etc/libvirt/qemu/networks/autostart/default.xml"

# Kernel and initrd for QEMU's direct kernel boot (virtio and ext4 are modules: the initrd is needed).
kernel=$(find "$root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
cp "$kernel" "$out/vmlinuz"
cp "$root/boot/initrd.img-${kernel##*/vmlinuz-}" "$out/initrd.img"

truncate -s "$image_size" "$out/root.raw"
mkfs.ext4 -q -F -L mcvirt-lab-root -d "$root" "$out/root.raw"
rm -rf "$root"
