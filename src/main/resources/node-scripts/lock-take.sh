# shellcheck shell=sh
# $1 state directory, $2 the holder's JSON, $3 the lock file in it: created only when there is none (noclobber)
state_directory "$1" && set -C && printf '%s\n' "$2" > "$3"
