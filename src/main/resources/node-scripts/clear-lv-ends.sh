# shellcheck shell=sh
# $1 volume group, $2 logical volume, just created by mcvirt: zeroes its first MiB (create-md refuses a disk on which
# it finds data) and its tail, where DRBD's internal metadata goes
dev=/dev/"$1"/"$2"
size=$(blockdev --getsize64 "$dev") || exit 1
mib=$((size / 1048576))
tail=$((size / 32768 / 1048576 + 2))
[ "$tail" -gt "$mib" ] && tail=$mib
dd if=/dev/zero of="$dev" bs=1M count=1 oflag=direct conv=notrunc status=none &&
    dd if=/dev/zero of="$dev" bs=1M seek=$((mib - tail)) count="$tail" oflag=direct conv=notrunc status=none
