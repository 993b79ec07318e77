# shellcheck shell=sh
# $1 section boundary, $2 verify record directory, $3 journal file, $4 saved definitions directory, $5 failover
# record directory, $6 "lvm" to read LVM (lvs, vgs: a tenth of a second even on a fast node, so only where the
# manifest puts storage on LVM), $7 the DRBD configuration directory (mcvirt's resource files in it are read without
# their shared-secret line: the secret never leaves the node), $8 the path of the scheduled verify's program (read
# with mcvirt's verify service and timer units, and each timer's state), $9 the cluster's polkit rules file, $10
# libvirtd.conf, $11 "always" to read its access_drivers lines and whether polkitd is installed, or "rules" to read
# them only when the rules file is there, $12 and $13 the users and groups (space-separated) whose existence
# getent tells (none: not asked). Each tool's
# output, error output and exit status as a section between boundary lines; LV_FIELDS, VG_FIELDS and JOURNAL_TAIL
# are filled in by StorageReader. On a slow node every program started costs (about 80 ms in the lab's emulated
# guests): what the shell can do itself (capture error output, read /proc and /sys files) it does with built-ins.
b=$1; v=$2; j=$3; d=$4; o=$5; l=$6; c=$7; p=$8; pr=$9; pc=${10}; pw=${11}; pu=${12}; pg=${13}
LVM_SUPPRESS_FD_WARNINGS=1; export LVM_SUPPRESS_FD_WARNINGS
nl='
'
exec 4>&1
# the program's output goes straight out (descriptor 4); its error output and exit status come back in $r
run() {
  n=$1; shift
  printf '%s out %s\n' "$b" "$n"
  r=$("$@" 2>&1 >&4 </dev/null; printf '\n%s' "$?")
  printf '\n%s err %s\n' "$b" "$n"
  printf '%s' "${r%"$nl"*}"
  printf '\n%s status %s %s\n' "$b" "$n" "${r##*"$nl"}"
}
# a file's text through the shell's own read (its last line with or without a newline)
# shellcheck disable=SC2317 # called through run
show() {
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    line=
  done <"$1"
}
# a file's text as a file section
file_section() {
  printf '%s file %s\n' "$b" "$1"
  show "$1" 2>&1
  printf '\n%s end %s\n' "$b" "$1"
}
# libvirtd.conf's access_drivers lines and mcvirt's mark, without comments
# shellcheck disable=SC2317 # called through run
access() {
  while IFS= read -r line || [ -n "$line" ]; do
    t=${line#"${line%%[! 	]*}"}
    case $t in
      '# mcvirt-access-driver: '*) printf '%s\n' "$t" ;;
      '#'* | '') ;;
      *access_drivers*) printf '%s\n' "$t" ;;
    esac
    line=
  done <"$1"
}
# shellcheck disable=SC2317 # called through run
sizes() {
  for f in /sys/block/drbd*/size; do
    [ -f "$f" ] && IFS= read -r size <"$f" && printf '%s %s\n' "$f" "$size"
  done
  return 0
}
# shellcheck disable=SC2317 # called through run
memory() {
  while read -r key value _; do
    case $key in
      MemTotal: | MemAvailable:) printf '%s %s\n' "$key" "$value" ;;
    esac
  done </proc/meminfo
}
# shellcheck disable=SC2317 # called through run
saved() {
  cd "$1" || return
  for f in *.xml; do
    [ -f "$f" ] && sha256sum -- "$f"
  done
  return 0
}
# a resource file mcvirt wrote (a line '# mcvirt-resource: NAME'), as a file section, without its secret
resource_file() {
  text=
  mark=
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      *shared-secret*) ;;
      '# mcvirt-resource: '*) mark=1 text="$text$line$nl" ;;
      *) text="$text$line$nl" ;;
    esac
    line=
  done <"$1"
  [ -n "$mark" ] || return 0
  printf '%s file %s\n%s' "$b" "$1" "$text"
  printf '\n%s end %s\n' "$b" "$1"
}
if [ "$l" = lvm ]; then
  run lvs lvs --reportformat json --units b --nosuffix -o LV_FIELDS
  run vgs vgs --reportformat json --units b --nosuffix -o VG_FIELDS
fi
run drbdadm drbdadm --version
run proc cat /proc/drbd
first=
[ -f /proc/drbd ] && IFS= read -r first </proc/drbd
case $first in
  'version: 8.'*) run show drbdsetup show ;;
  'version: '*) run status drbdsetup status --json ;;
esac
run sizes sizes
[ -f "$j" ] && run journal tail -c JOURNAL_TAIL "$j"
run memory memory
[ -d "$d" ] && run saved saved "$d"
for f in "$v"/*.json "$o"/*.json; do
  [ -f "$f" ] && file_section "$f"
done
for f in "$p" /etc/systemd/system/mcvirt-verify-*.service /etc/systemd/system/mcvirt-verify-*.timer; do
  [ -f "$f" ] || continue
  file_section "$f"
  case $f in
    *.timer) run "timer:${f##*/}" env TZ=UTC systemctl show "${f##*/}" -p UnitFileState -p ActiveState \
      -p NextElapseUSecRealtime -p LastTriggerUSec ;;
  esac
done
if [ -f "$pr" ]; then
  file_section "$pr"
  pw=always
fi
if [ "$pw" = always ]; then
  [ -f "$pc" ] && run access access "$pc"
  run polkitd test -x /usr/lib/polkit-1/polkitd
  # shellcheck disable=SC2086 # a list of names
  [ -n "$pu" ] && run users getent passwd $pu
  # shellcheck disable=SC2086 # a list of names
  [ -n "$pg" ] && run groups getent group $pg
fi
for f in "$c"/*.res; do
  [ -f "$f" ] && resource_file "$f" 2>/dev/null
done
exit 0
