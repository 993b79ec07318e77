# shellcheck shell=sh
# $1 lock file, $2 token: removed only when it holds this token
grep -qF -- "$2" "$1" 2>/dev/null && rm -f -- "$1"; exit 0
