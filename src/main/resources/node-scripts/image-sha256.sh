# shellcheck shell=sh
# $1: a file; prints its SHA-256 in hex and nothing else
set -e
sum=$(sha256sum -- "$1")
printf '%s\n' "${sum%% *}"
