# shellcheck shell=sh
# $1 directory (a file pool's), $2 file name of the seed ISO, $3 input file (mode 0600, removed here) of three lines:
# user-data, meta-data and network-config, each base64 (the last may be empty). Builds a NoCloud seed (volume label
# cidata, Joliet and Rock Ridge) with xorriso or genisoimage, mode 0644, renamed into place.
set -eu
dir=$1
name=$2
input=$3
work=$(mktemp -d "$dir/.mcvirt-seed.XXXXXX")
trap 'rm -rf -- "$work"; rm -f -- "$input"' EXIT
trap 'exit 143' HUP INT TERM
{
    IFS= read -r user_data
    IFS= read -r meta_data
    IFS= read -r network_config || network_config=
} < "$input"
mkdir "$work/files"
printf '%s' "$user_data" | base64 -d > "$work/files/user-data"
printf '%s' "$meta_data" | base64 -d > "$work/files/meta-data"
set -- "$work/files/user-data" "$work/files/meta-data"
if [ -n "$network_config" ]; then
    printf '%s' "$network_config" | base64 -d > "$work/files/network-config"
    set -- "$@" "$work/files/network-config"
fi
if command -v xorriso >/dev/null 2>&1; then
    xorriso -as mkisofs -quiet -o "$work/seed.iso" -V cidata -J -R "$@" 2>&1
elif command -v genisoimage >/dev/null 2>&1; then
    genisoimage -quiet -output "$work/seed.iso" -volid cidata -joliet -rock "$@" 2>&1
else
    echo "neither xorriso nor genisoimage is installed: install xorriso to build cloud-init seeds" >&2
    exit 3
fi
chmod 0644 "$work/seed.iso"
mv -f -- "$work/seed.iso" "$dir/$name"
