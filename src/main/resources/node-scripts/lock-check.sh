# shellcheck shell=sh
# $1 lock file, $2 token: exit status 0 while it holds this token, 3 when it does not
grep -qF -- "\"token\":\"$2\"" "$1" 2>/dev/null || exit 3
