# shellcheck shell=sh
# $1 lock file: removed whoever holds it; exit status 3 when there is none
test -e "$1" || exit 3; rm -f -- "$1"
