# shellcheck shell=sh
# $1 state directory, $2 one JSON line, $3 the journal file in it: the line appended (the file for root only)
state_directory "$1" && printf '%s\n' "$2" >> "$3" && { chmod 0600 -- "$3" 2>/dev/null || :; }
