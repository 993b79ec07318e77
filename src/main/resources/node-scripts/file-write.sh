# shellcheck shell=sh
# $1 target path, $2 octal mode; content on standard input, written to a temporary file and renamed into place
set -e
umask 077
temporary=$(mktemp -- "$1.tmp.XXXXXX")
trap 'rm -f -- "$temporary"' EXIT
# so that the EXIT trap also cleans up after the timeout wrapper's TERM
trap 'exit 143' HUP INT TERM
cat > "$temporary"
chmod -- "$2" "$temporary"
mv -f -- "$temporary" "$1"
trap - EXIT
