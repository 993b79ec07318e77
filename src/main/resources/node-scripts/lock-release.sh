# shellcheck shell=sh
# $1 lock file, $2 token: removed only when it holds this token
test -e "$1" || exit 0
umask 077 # the guard file, like all in the state directory, is for root only
exec 9>>"$1.guard" || exit 5
flock -w 10 9 || exit 5
if grep -qF -- "\"token\":\"$2\"" "$1" 2>/dev/null; then rm -f -- "$1"; fi
exit 0
