# shellcheck shell=sh
# $1 state directory, $2 one JSON line, $3 the journal file in it: the line appended
mkdir -p -- "$1" && printf '%s\n' "$2" >> "$3"
