# shellcheck shell=sh
# $1 journal file, $2 one JSON line, $3 lock file, $4 token ($3 empty: no lock to check). The line is appended while
# the lock file still holds the token; exit status 3, and nothing written, when it does not. Shell built-ins only (a
# step's journal line costs its round trip and no program); the journal and its directory exist and were tightened
# by the apply's first line (journal-append).
if [ -n "$3" ]; then
  [ -f "$3" ] || exit 3
  l=
  x=
  while IFS= read -r x || [ -n "$x" ]; do
    l="$l$x"
    x=
  done <"$3"
  case $l in
    *"\"token\":\"$4\""*) ;;
    *) exit 3 ;;
  esac
fi
printf '%s\n' "$2" >>"$1"
