# shellcheck shell=sh
# $1 state directory, $2 a directory in it (its path): both made (0711 and 0700), an earlier one tightened
state_directory "$1" && mkdir -p -- "$2" && { chmod 0700 -- "$2" 2>/dev/null || :; }
