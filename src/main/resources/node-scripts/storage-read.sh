# shellcheck shell=sh
# $1 section boundary, $2 verify record directory, $3 journal file, $4 saved definitions directory, $5 failover
# record directory. Each tool's
# output, error output and exit status as a section between boundary lines; LV_FIELDS, VG_FIELDS and JOURNAL_TAIL
# are filled in by StorageReader
b=$1; v=$2; j=$3; d=$4; o=$5
LVM_SUPPRESS_FD_WARNINGS=1; export LVM_SUPPRESS_FD_WARNINGS
e=$(mktemp) || exit 1
trap 'rm -f "$e"' EXIT
run() {
  n=$1; shift
  printf '%s out %s\n' "$b" "$n"
  "$@" 2>"$e" </dev/null
  s=$?
  printf '\n%s err %s\n' "$b" "$n"
  cat "$e"
  printf '\n%s status %s %s\n' "$b" "$n" "$s"
}
run lvs lvs --reportformat json --units b --nosuffix -o LV_FIELDS
run vgs vgs --reportformat json --units b --nosuffix -o VG_FIELDS
run drbdadm drbdadm --version
run proc cat /proc/drbd
case $(head -n 1 /proc/drbd 2>/dev/null) in
  'version: 8.'*) run show drbdsetup show ;;
  'version: '*) run status drbdsetup status --json ;;
esac
# shellcheck disable=SC2016 # expanded by the inner sh
run sizes sh -c 'for f in /sys/block/drbd*/size; do [ -f "$f" ] && echo "$f $(cat "$f")"; done; exit 0'
[ -f "$j" ] && run journal tail -c JOURNAL_TAIL "$j"
# shellcheck disable=SC2016 # expanded by awk
run memory sh -c 'awk "/^(MemTotal|MemAvailable):/ {print \$1, \$2}" /proc/meminfo'
# shellcheck disable=SC2016 # expanded by the inner sh
[ -d "$d" ] && run saved sh -c 'cd "$1" && for f in *.xml; do [ -f "$f" ] && sha256sum -- "$f"; done; exit 0' \
    mcvirt-saved "$d"
for f in "$v"/*.json "$o"/*.json; do
  [ -f "$f" ] || continue
  printf '%s file %s\n' "$b" "$f"
  cat "$f" 2>&1
  printf '\n%s end %s\n' "$b" "$f"
done
exit 0
