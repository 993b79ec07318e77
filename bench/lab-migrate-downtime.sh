#!/usr/bin/env bash
# Benchmark: the downtime of mcvirt's live migration on the lab, as libvirt reports it (virsh domjobinfo
# --completed: "Total downtime"), for a running 64 MiB vm on one 16 MiB replicated disk, moved between the lab's
# two nodes, against the same move done with libvirt alone in the same run (the floor: virsh on this machine, the
# same transport as mcvirt (qemu+libssh), the same settings (maximum downtime 100 ms, auto-converge), DRBD's dual
# primary set by hand, the definition moved after the vm runs, as mcvirt does). Each round is one mcvirt move and
# one raw move back, the order and direction alternating between rounds. Also the wall time of each `mcvirt migrate
# --live` (whole CLI: plan, checks, dual-primary on and off, the migration) against `mcvirt plan` of the same
# cluster (JVM start, connect, read, plan: the floor of any mcvirt command). See BENCHMARKS.md.
#   bench/lab-migrate-downtime.sh [ROUNDS]     (default 6; needs the lab: lab/up)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-6}
lab/status >/dev/null || { echo "the lab is not up (lab/status; lab/up starts it)" >&2; exit 1; }
work=$(mktemp -d)
id=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cluster=bd$id
vm=bd-$id
resource=mcvirt_${vm}_root
state=/var/lib/mcvirt-$cluster
# the lab's nodes with an images directory and a state directory of this cluster's own (as the lab tests do)
sed -e "s|path: /var/lib/mcvirt/images}|path: /var/lib/mcvirt/$cluster}|" \
  -e "s|    address: 127.0.0.1$|    address: 127.0.0.1\n    paths: {state: $state}|" lab/.state/nodes.yaml >"$work/nodes.yaml"
grep -q "/var/lib/mcvirt/$cluster" "$work/nodes.yaml" || { echo "the lab's nodes file has no images storage" >&2; exit 1; }
printf 'Bench-%s\n' "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/drbd.secret"
cat >"$work/cluster.yaml" <<YAML
apiVersion: mcvirt/v1
cluster:
  name: $cluster
  drbd: {enabled: true, minors: 300-399, ports: 7800-7849, secret: {file: $work/drbd.secret}}
networks:
  - {name: bdnet, nat: true, cidr: 192.168.155.0/24}
vms:
  - name: $vm
    node: node1
    memory: 64MiB
    state: running
    disks: [{name: root, size: 16MiB, storage: vg0, replicated: true}]
    nics: [{network: bdnet}]
YAML
printf 'apiVersion: mcvirt/v1\ncluster: {name: %s}\nnetworks: []\nvms: []\n' "$cluster" >"$work/nothing.yaml"
mcvirt() { ./mcvirt -f "$work/nodes.yaml" "$@"; }
cleanup() {
  mcvirt -f "$work/nothing.yaml" lock break --force >/dev/null 2>&1 || true
  mcvirt -f "$work/nothing.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null 2>&1 || true
  for node in node1 node2; do
    # shellcheck disable=SC2029 # the names are expanded here on purpose
    lab/ssh "$node" "virsh -c qemu:///system pool-destroy mcvirt.$cluster.images; virsh -c qemu:///system" \
      "pool-undefine mcvirt.$cluster.images; drbdadm down $resource; rm -f /etc/drbd.d/$resource.res;" \
      "lvremove -y vg0/$resource; rm -rf $state" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null
mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null || { echo "setup: plan is not empty" >&2; exit 1; }
load=$(cut -d" " -f1-3 /proc/loadavg)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# the lab's libvirt the way mcvirt reaches it (LibvirtUris.derived)
uri() {
  local port
  port=$(awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && /ssh:/ {sub(/.*port: /, ""); sub(/,.*/, ""); print; exit}' \
    "$work/nodes.yaml")
  echo "qemu+libssh://root@127.0.0.1:$port/system?sshauth=privkey&keyfile=/var/cache/mcvirt-lab/keys/lab_ed25519&known_hosts=$PWD/lab/.state/known_hosts&known_hosts_verify=normal"
}
cluster_ip() { awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && /clusterIp:/ {print $2; exit}' "$work/nodes.yaml"; }
other() { [ "$1" = node1 ] && echo node2 || echo node1; }
downtimes=(); raw_downtimes=(); migrate_times=(); plan_times=()
mcvirt_move() { # FROM TO
  local t0 t1 t2 downtime
  t0=$(now)
  mcvirt -f "$work/cluster.yaml" migrate --node "$2" --live --update-manifest --yes "$vm" >"$work/migrate.log" 2>&1 \
    || { echo "migrate --live to $2 failed: $(cat "$work/migrate.log")" >&2; exit 1; }
  t1=$(now)
  mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null \
    || { echo "the plan after the migration to $2 is not empty" >&2; exit 1; }
  t2=$(now)
  # "...: running on node2; downtime 35 ms (as libvirt reports it)"
  downtime=$(grep -o 'downtime [0-9]* ms' "$work/migrate.log" | awk '{print $2}' | tail -n 1)
  [ -n "$downtime" ] || { echo "libvirt reported no downtime: $(cat "$work/migrate.log")" >&2; exit 1; }
  downtimes+=("$downtime"); migrate_times+=($(( (t1 - t0) / 1000000 ))); plan_times+=($(( (t2 - t1) / 1000000 )))
}
# shellcheck disable=SC2029 # the resource name is expanded here on purpose
raw_move() { # FROM TO: the same move with libvirt alone
  local from=$1 to=$2 src dst downtime node
  src=$(uri "$from"); dst=$(uri "$to")
  virsh -q -c "$src" dumpxml --inactive --security-info "$vm" >"$work/vm.xml"
  for node in node1 node2; do lab/ssh "$node" drbdadm net-options --allow-two-primaries=yes "$resource"; done
  lab/ssh "$to" drbdadm primary "$resource"
  virsh -q -c "$src" migrate-setmaxdowntime "$vm" 100
  virsh -q -c "$src" migrate --live --auto-converge "$vm" "$dst" "tcp://$(cluster_ip "$to")" >/dev/null
  downtime=$(virsh -q -c "$dst" domjobinfo --completed --keep-completed "$vm" | awk '/^Total downtime:/ {print $3}')
  virsh -q -c "$dst" define "$work/vm.xml" >/dev/null
  virsh -q -c "$src" undefine "$vm" >/dev/null
  lab/ssh "$from" drbdadm secondary "$resource"
  for node in node1 node2; do lab/ssh "$node" drbdadm net-options --allow-two-primaries=no "$resource"; done
  sed -i "s/^    node: $from\$/    node: $to/" "$work/cluster.yaml"
  mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null \
    || { echo "the plan after libvirt's own migration to $to is not empty" >&2; exit 1; }
  [ -n "$downtime" ] || { echo "libvirt reported no downtime for its own move to $to" >&2; exit 1; }
  raw_downtimes+=("$downtime")
}
at=node1
for round in $(seq 1 "$rounds"); do
  if ((round % 2)); then
    mcvirt_move "$at" "$(other "$at")"; at=$(other "$at")
    raw_move "$at" "$(other "$at")"; at=$(other "$at")
  else
    raw_move "$at" "$(other "$at")"; at=$(other "$at")
    mcvirt_move "$at" "$(other "$at")"; at=$(other "$at")
  fi
done
d=$(printf '%s\n' "${downtimes[@]}" | median)
r=$(printf '%s\n' "${raw_downtimes[@]}" | median)
m=$(printf '%s\n' "${migrate_times[@]}" | median)
p=$(printf '%s\n' "${plan_times[@]}" | median)
echo "live migration of a running 64 MiB vm with a 16 MiB replicated disk on the lab, $rounds rounds (median)"
echo "  load before: $load"
echo "  downtime as libvirt reports it, mcvirt (ms): $d   moves: ${downtimes[*]}"
echo "  downtime as libvirt reports it, libvirt alone (ms): $r   moves: ${raw_downtimes[*]}"
awk -v d="$d" -v r="$r" 'BEGIN {printf "  ratio mcvirt / libvirt alone: %.2f\n", d / r}'
echo "  mcvirt migrate --live, wall (ms): $m   moves: ${migrate_times[*]}"
echo "  floor: mcvirt plan of the same cluster, wall (ms): $p   runs: ${plan_times[*]}"
awk -v m="$m" -v p="$p" 'BEGIN {printf "  ratio migrate / plan: %.2f\n", m / p}'
