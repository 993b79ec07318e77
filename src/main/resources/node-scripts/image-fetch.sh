# shellcheck shell=sh
# $1 an http(s) URL, $2 the storage directory, $3 the volume's file name, $4 the SHA-256 the manifest gives, $5 the
# format (qcow2|raw|iso): the file downloaded under a temporary name of its own (mktemp: two downloads of one file never
# share it), its SHA-256 and (a qcow2) its lack of a backing
# or external data file checked, then renamed into place, mode 0644. Exit status 3 without curl, 4 when the download
# failed, 5 on another SHA-256, 6 on a qcow2 that refers to another file; nothing is left behind but on success.
set -u
if ! command -v curl >/dev/null 2>&1; then
  echo "curl is not installed on this node, and it downloads images given by URL (apt-get install curl)" >&2
  exit 3
fi
tmp=$(mktemp "$2/.mcvirt-fetch.$3.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
trap 'exit 143' TERM INT HUP
curl -fsSL --proto '=http,https' --proto-redir '=http,https' --connect-timeout 10 -o "$tmp" -- "$1" || exit 4
sum=$(sha256sum -- "$tmp") || exit 1
sum=${sum%% *}
if [ "$sum" != "$4" ]; then
  echo "the download of $1 has SHA-256 $sum, not $4 as the manifest says; it was deleted" >&2
  exit 5
fi
if [ "$5" = qcow2 ]; then
  info=$(qemu-img info -f qcow2 --output=json -- "$tmp") || exit 6
  case $info in
    *'"backing-filename"'* | *'"data-file"'*)
      echo "the download of $1 is a qcow2 image with a backing or external data file; it was deleted" >&2
      exit 6
      ;;
  esac
fi
chmod 0644 "$tmp" && mv -f -- "$tmp" "$2/$3"
