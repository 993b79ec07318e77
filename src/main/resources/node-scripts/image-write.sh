# shellcheck shell=sh
# $1 image file, $2 its format (qcow2|raw), $3 block device (a DRBD device, Primary here), $4 the image's virtual size
# in bytes: the image written onto the device as raw bytes (qemu-img convert, no target creation, O_DIRECT, out of
# order); refused (exit 3, nothing written) when the device is smaller than the image
set -eu
size=$(blockdev --getsize64 "$3")
if [ "$size" -lt "$4" ]; then
    echo "device $3 is $size bytes, smaller than the image's $4" >&2
    exit 3
fi
qemu-img convert -f "$2" -O raw -n -t none -W -- "$1" "$3"
