# shellcheck shell=sh
# $1 libvirtd.conf, $2 enable|disable, $3 cluster, $4 seconds to wait for libvirtd to answer after its restart.
# enable: each access_drivers line that is not a comment is commented out as '#mcvirt: LINE', and mcvirt's mark
# '# mcvirt-access-driver: CLUSTER' with 'access_drivers = [ "polkit" ]' on the next line is appended.
# disable: mcvirt's mark and the line after it removed, the lines it commented out restored.
# Written to a temporary file (mode and owner of the old one) and renamed into place. Only when the file changed is
# libvirtd restarted (running vms keep running), and then waited for until virsh gets an answer. Prints "unchanged"
# or "restarted". Exit status 3: an access_drivers setting over several lines, which is left for a person to edit.
set -e
conf=$1; mode=$2; cluster=$3; wait=$4
[ -f "$conf" ] || { echo "$conf does not exist: is libvirt installed?" >&2; exit 1; }
temporary=$(mktemp -- "$conf.tmp.XXXXXX")
trap 'rm -f -- "$temporary"' EXIT
trap 'exit 143' HUP INT TERM
status=0
awk -v mode="$mode" -v mark="# mcvirt-access-driver: $cluster" '
  skip { skip = 0; next }
  $0 == mark { skip = 1; next }
  /^#mcvirt: / { if (mode == "enable") print; else print substr($0, 10); next }
  /^[ \t]*access_drivers[ \t]*=/ {
    if ($0 !~ /\]/) { bad = 1 }
    if (mode == "enable") print "#mcvirt: " $0; else print
    next
  }
  { print }
  END {
    if (bad) exit 3
    if (mode == "enable") { print mark; print "access_drivers = [ \"polkit\" ]" }
  }' "$conf" >"$temporary" || status=$?
if [ "$status" -eq 3 ]; then
  echo "$conf sets access_drivers over several lines; mcvirt edits only a setting on one line: join it, or set" \
    "access_drivers = [ \"polkit\" ] yourself" >&2
  exit 3
fi
[ "$status" -eq 0 ] || exit "$status"
if cmp -s -- "$conf" "$temporary"; then
  echo unchanged
  exit 0
fi
chmod --reference="$conf" -- "$temporary"
chown --reference="$conf" -- "$temporary"
mv -f -- "$temporary" "$conf"
trap - EXIT
systemctl restart libvirtd
waited=0
until timeout 10 virsh -c qemu:///system version >/dev/null 2>&1; do
  if [ "$waited" -ge "$((wait * 5))" ]; then
    echo "libvirtd restarted but did not answer within $wait s" >&2
    exit 1
  fi
  sleep 0.2
  waited=$((waited + 1))
done
echo restarted
