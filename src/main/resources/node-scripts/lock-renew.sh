# shellcheck shell=sh
# $1 lock file, $2 token, $3 the holder's JSON with a new heartbeat: the lock file replaced atomically, only while it
# holds this token; exit status 3 when it does not (removed, broken or taken by another holder)
test -e "$1" || exit 3
umask 077 # the guard file, like all in the state directory, is for root only
exec 9>>"$1.guard" || exit 5
flock -w 10 9 || exit 5
grep -qF -- "\"token\":\"$2\"" "$1" 2>/dev/null || exit 3
temporary=$(mktemp -- "$1.tmp.XXXXXX") || exit 5
if printf '%s\n' "$3" > "$temporary" && mv -f -- "$temporary" "$1"; then exit 0; fi
rm -f -- "$temporary"
exit 5
