#!/usr/bin/env bash
# Benchmark: creating VMS running vms on this machine's libvirtd with `mcvirt apply` (volume, define, start of each;
# the network and pool already there) against the floor in the same run: a sequential loop in one virsh session
# doing the same vol-create-as, define and start of each vm with the definitions mcvirt wrote. Rounds alternate;
# each side's vms are removed before the other's turn. Prints medians and the ratio; see BENCHMARKS.md.
#   bench/create-local.sh [ROUNDS]     (default 5; VMS=20; needs libvirtd with /dev/kvm: .ci/start-libvirt)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
vms=${VMS:-20}
work=$(mktemp -d)
uri=qemu:///system
pool=mcvirt.cbench.images
{
  cat <<YAML
apiVersion: mcvirt/v1
cluster: {name: cbench}
nodes:
  - name: here
    local: true
    libvirt: {uri: "$uri", domainType: kvm}
    storage:
      - {name: images, type: file, path: /var/lib/mcvirt/cbench-images}
networks:
  - {name: net, nat: true, cidr: 192.168.182.0/24}
vms:
YAML
  for i in $(seq -w 1 "$vms"); do
    echo "  - {name: cbench-$i, node: here, memory: 64MiB, state: running, autostart: false," \
      "disks: [{name: root, size: 1MiB, storage: images}], nics: [{network: net}]}"
  done
} >"$work/cluster.yaml"
sed '/^vms:/,$d' "$work/cluster.yaml" >"$work/novms.yaml"; echo "vms: []" >>"$work/novms.yaml"
sed '/^networks:/,$d' "$work/cluster.yaml" >"$work/empty.yaml"; printf 'networks: []\nvms: []\n' >>"$work/empty.yaml"
cleanup() {
  for i in $(seq -w 1 "$vms"); do
    virsh -c $uri destroy "cbench-$i" >/dev/null 2>&1 || true
    virsh -c $uri undefine "cbench-$i" >/dev/null 2>&1 || true
    virsh -c $uri vol-delete "cbench-$i-root.qcow2" --pool $pool >/dev/null 2>&1 || true
  done
  ./mcvirt -f "$work/empty.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null 2>&1 || true
  # the node still declares the pool in empty.yaml, so mcvirt keeps it: remove it with its directory
  virsh -c $uri pool-destroy $pool >/dev/null 2>&1 || true
  virsh -c $uri pool-undefine $pool >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/mcvirt/cbench-images
}
trap cleanup EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# the definitions mcvirt writes, for the floor
./mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null
mkdir -p "$work/xml"
floor_cmds=""
unmake_cmds=""
for i in $(seq -w 1 "$vms"); do
  virsh -c $uri dumpxml --inactive "cbench-$i" >"$work/xml/cbench-$i.xml"
  floor_cmds="$floor_cmds; vol-create-as $pool cbench-$i-root.qcow2 1M --format qcow2"
  floor_cmds="$floor_cmds; define $work/xml/cbench-$i.xml; start cbench-$i"
  unmake_cmds="$unmake_cmds; destroy cbench-$i; undefine cbench-$i; vol-delete cbench-$i-root.qcow2 --pool $pool"
done

creates=(); floors=()
for r in $(seq 1 "$rounds"); do
  ./mcvirt -f "$work/novms.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null
  t0=$(now); ./mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null; t1=$(now)
  creates+=("$(ms "$t0" "$t1")")
  ./mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null \
    || { echo "round $r: the plan after mcvirt's create is not empty" >&2; exit 1; }
  ./mcvirt -f "$work/novms.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null
  t0=$(now); virsh -c $uri "${floor_cmds#; }" >/dev/null; t1=$(now)
  floors+=("$(ms "$t0" "$t1")")
  virsh -c $uri "${unmake_cmds#; }" >/dev/null
  echo "round $r: mcvirt ${creates[-1]} ms, floor ${floors[-1]} ms" >&2
done

c=$(printf '%s\n' "${creates[@]}" | median)
f=$(printf '%s\n' "${floors[@]}" | median)
echo "create of $vms running vms on one node, $rounds alternating rounds (median ms)"
echo "  mcvirt apply (whole CLI: JVM start, connect, read, plan, lock, journal, steps): $c   runs: ${creates[*]}"
echo "  baseline: one virsh session, vol-create-as, define, start for each vm in turn: $f   runs: ${floors[*]}"
awk -v c="$c" -v f="$f" 'BEGIN {printf "  ratio mcvirt / sequential loop: %.2f\n", c / f}'
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
