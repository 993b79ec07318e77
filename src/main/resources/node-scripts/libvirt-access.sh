# shellcheck shell=sh
# $1 libvirtd.conf, $2 enable|disable, $3 cluster, $4 seconds to wait for libvirtd to answer after its restart.
# enable: each access_drivers line that is not a comment is commented out as '#mcvirt: LINE', and mcvirt's mark
# '# mcvirt-access-driver: CLUSTER' with 'access_drivers = [ "polkit" ]' on the next line is appended.
# disable: mcvirt's mark and its setting removed, the lines it commented out restored.
# Written to a temporary file (mode and owner of the old one) and renamed into place. Only when the file changed is
# libvirtd restarted (running vms keep running), and then waited for until virsh gets an answer; when the restart
# fails or libvirtd does not answer in time, the old file is put back and libvirtd restarted again. Prints "unchanged"
# or "restarted". Exit status 3: an access_drivers setting over several lines; 4: the line after mcvirt's mark is not
# its setting (edited by hand); both are left for a person to edit, and nothing changes.
set -e
conf=$1; mode=$2; cluster=$3; wait=$4
[ -f "$conf" ] || { echo "$conf does not exist: is libvirt installed?" >&2; exit 1; }
temporary=$(mktemp -- "$conf.tmp.XXXXXX")
trap 'rm -f -- "$temporary"' EXIT
trap 'exit 143' HUP INT TERM
status=0
awk -v mode="$mode" -v mark="# mcvirt-access-driver: $cluster" '
  skip {
    skip = 0
    if ($0 == "access_drivers = [ \"polkit\" ]") next
    bad = 4
  }
  $0 == mark { skip = 1; next }
  /^#mcvirt: / { if (mode == "enable") print; else print substr($0, 10); next }
  /^[ \t]*access_drivers[ \t]*=/ {
    if ($0 !~ /\]/ && !bad) { bad = 3 }
    if (mode == "enable") print "#mcvirt: " $0; else print
    next
  }
  { print }
  END {
    if (skip && !bad) bad = 4
    if (bad) exit bad
    if (mode == "enable") { print mark; print "access_drivers = [ \"polkit\" ]" }
  }' "$conf" >"$temporary" || status=$?
case $status in
  0) ;;
  3) echo "$conf sets access_drivers over several lines; mcvirt edits only a setting on one line: join it, or set" \
       "access_drivers = [ \"polkit\" ] yourself" >&2
     exit 3 ;;
  4) echo "in $conf the line after '# mcvirt-access-driver: $cluster' is not mcvirt's access_drivers line (edited" \
       "by hand?): put 'access_drivers = [ \"polkit\" ]' back under it, or remove both lines" >&2
     exit 4 ;;
  *) exit "$status" ;;
esac
if cmp -s -- "$conf" "$temporary"; then
  echo unchanged
  exit 0
fi
chmod --reference="$conf" -- "$temporary"
chown --reference="$conf" -- "$temporary"
backup=$(mktemp -- "$conf.mcvirt-old.XXXXXX")
cp -p -- "$conf" "$backup"
mv -f -- "$temporary" "$conf"
trap 'rm -f -- "$backup"' EXIT
# until virsh gets an answer, for at most $wait seconds of the clock
answers() {
  deadline=$(($(date +%s) + wait))
  until timeout 5 virsh -c qemu:///system version >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
if systemctl restart libvirtd && answers; then
  echo restarted
  exit 0
fi
mv -f -- "$backup" "$conf"
systemctl restart libvirtd || :
echo "libvirtd did not restart or answer within $wait s with the new setting; $conf is back as it was and" \
  "libvirtd restarted with it" >&2
exit 1
