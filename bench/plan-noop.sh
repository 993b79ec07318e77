#!/usr/bin/env bash
# Benchmark: a no-op `mcvirt plan` on 20 managed VMs against the floor: the same reads done with raw virsh
# calls, measured in the same run on the same libvirtd. Prints medians and the ratio; see BENCHMARKS.md.
#   bench/plan-noop.sh [ROUNDS]     (default 7; needs libvirtd: .ci/start-libvirt)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-7}
vms=20
work=$(mktemp -d)
manifest=$work/bench.yaml
uri=qemu:///system
{
  cat <<YAML
apiVersion: mcvirt/v1
cluster: {name: bench}
nodes:
  - name: here
    local: true
    libvirt: {uri: "$uri", domainType: qemu}
    storage:
      - {name: images, type: file, path: /var/lib/mcvirt/bench-images}
networks:
  - {name: net, nat: true, cidr: 192.168.181.0/24}
vms:
YAML
  for i in $(seq -w 1 $vms); do
    echo "  - {name: bench-$i, node: here, memory: 64MiB, state: stopped, disks: [{name: root, size: 1MiB, storage: images}], nics: [{network: net}]}"
  done
} > "$manifest"
cleanup() {
  ./mcvirt -f "$work/empty.yaml" apply --auto-approve --allow-destroy >/dev/null 2>&1 || true
  virsh -c $uri pool-destroy mcvirt.bench.images >/dev/null 2>&1 || true
  virsh -c $uri pool-undefine mcvirt.bench.images >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/mcvirt/bench-images
}
sed '/^vms:/,$d' "$manifest" > "$work/empty.yaml"; echo "vms: []" >> "$work/empty.yaml"
sed -i '/^networks:/,/^vms:/{/^networks:/!{/^vms:/!d}}; s/^networks:.*/networks: []/' "$work/empty.yaml"
trap cleanup EXIT

./mcvirt -f "$manifest" apply --auto-approve >/dev/null
./mcvirt -f "$manifest" plan --detailed-exitcode >/dev/null || { echo "setup: plan is not empty" >&2; exit 1; }

# The floor: one virsh process, one connection, the same reads mcvirt's plan makes.
reads="list --all --name; net-list --all --name; pool-list --all --name"
for n in $(virsh -c $uri net-list --all --name); do reads="$reads; net-dumpxml $n; net-info $n"; done
for p in $(virsh -c $uri pool-list --all --name); do reads="$reads; pool-dumpxml $p; pool-refresh $p; vol-list $p --details"; done
for d in $(virsh -c $uri list --all --name); do reads="$reads; dumpxml $d --inactive; dominfo $d"; done

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

mcvirt_times=(); floor_times=(); start_times=()
for r in $(seq 1 "$rounds"); do
  t0=$(now); ./mcvirt -f "$manifest" plan --detailed-exitcode >/dev/null; t1=$(now)
  virsh -c $uri "$reads" >/dev/null; t2=$(now)
  ./mcvirt -f "$manifest" validate >/dev/null; t3=$(now)
  mcvirt_times+=($(( (t1 - t0) / 1000000 ))); floor_times+=($(( (t2 - t1) / 1000000 )))
  start_times+=($(( (t3 - t2) / 1000000 )))
done
m=$(printf '%s\n' "${mcvirt_times[@]}" | median)
f=$(printf '%s\n' "${floor_times[@]}" | median)
v=$(printf '%s\n' "${start_times[@]}" | median)
echo "no-op plan, $vms managed vms, $rounds rounds (median ms)"
echo "  mcvirt plan (whole CLI, JVM start included): $m   runs: ${mcvirt_times[*]}"
echo "  floor: one virsh session doing the same reads: $f   runs: ${floor_times[*]}"
echo "  context: mcvirt validate (JVM start + manifest, no node contact): $v   runs: ${start_times[*]}"
awk -v m="$m" -v f="$f" 'BEGIN {printf "  ratio mcvirt / floor: %.2f\n", m / f}'
