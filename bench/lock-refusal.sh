#!/usr/bin/env bash
# Benchmark: how long a second `mcvirt apply` takes to be refused while another apply holds the cluster lock (it
# must fail at once, never wait for the lock), against the floor `mcvirt lock status` (JVM start, manifest, connect,
# read the lock: the least a refusal can do). Moved out of LabEndToEndIT, which asserted it as a duration; the test
# keeps the functional check (the first apply still runs when the second is refused). See BENCHMARKS.md.
#   bench/lock-refusal.sh [ROUNDS]     (default 7; needs libvirtd: .ci/start-libvirt)
# The lock holder: an apply that stops a running firmware-only vm (no guest OS, so the ACPI shutdown is ignored)
# with --shutdown-timeout 600; it is killed at the end and its stale lock broken.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-7}
work=$(mktemp -d)
uri=qemu:///system
id=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cluster=lockbench$id
vm=lockbench-$id
images=/var/lib/mcvirt/lockbench-$id
manifest() { # STATE
  cat <<YAML
apiVersion: mcvirt/v1
cluster: {name: $cluster}
nodes:
  - name: here
    local: true
    libvirt: {uri: "$uri", domainType: qemu}
    paths: {state: $work/state}
    storage:
      - {name: images, type: file, path: $images}
networks: []
vms:
  - {name: $vm, node: here, memory: 64MiB, state: $1, disks: [{name: root, size: 1MiB, storage: images}]}
YAML
}
manifest running > "$work/running.yaml"
manifest stopped > "$work/stopped.yaml"
holder=""
cleanup() {
  if [ -n "$holder" ]; then kill -9 "$holder" 2>/dev/null || true; fi
  ./mcvirt -f "$work/running.yaml" lock break --force >/dev/null 2>&1 || true
  virsh -c $uri destroy "$vm" >/dev/null 2>&1 || true
  virsh -c $uri undefine "$vm" >/dev/null 2>&1 || true
  virsh -c $uri vol-delete "$vm-root.qcow2" --pool "mcvirt.$cluster.images" >/dev/null 2>&1 || true
  virsh -c $uri pool-destroy "mcvirt.$cluster.images" >/dev/null 2>&1 || true
  virsh -c $uri pool-undefine "mcvirt.$cluster.images" >/dev/null 2>&1 || true
  rm -rf "$work" "$images"
}
trap cleanup EXIT

./mcvirt -f "$work/running.yaml" apply --auto-approve >/dev/null
./mcvirt -f "$work/stopped.yaml" apply --auto-approve --shutdown-timeout 600 >"$work/holder.log" 2>&1 &
holder=$!
for _ in $(seq 1 240); do
  grep -q "shut down domain $vm \.\.\." "$work/holder.log" && break
  kill -0 "$holder" 2>/dev/null || { echo "setup: the lock holder ended: $(cat "$work/holder.log")" >&2; exit 1; }
  sleep 0.25
done
grep -q "shut down domain $vm \.\.\." "$work/holder.log" || { echo "setup: the holder never reached its shutdown" >&2; exit 1; }

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
refused_times=(); floor_times=()
for _ in $(seq 1 "$rounds"); do
  t0=$(now)
  if ./mcvirt -f "$work/stopped.yaml" apply --auto-approve >"$work/second.log" 2>&1; then
    echo "the second apply was not refused: $(cat "$work/second.log")" >&2; exit 1
  fi
  t1=$(now)
  grep -q "the cluster is locked by" "$work/second.log" || { echo "refused for another reason: $(cat "$work/second.log")" >&2; exit 1; }
  ./mcvirt -f "$work/stopped.yaml" lock status >/dev/null; t2=$(now)
  refused_times+=($(( (t1 - t0) / 1000000 ))); floor_times+=($(( (t2 - t1) / 1000000 )))
done
kill -0 "$holder" 2>/dev/null || { echo "the lock holder ended during the rounds" >&2; exit 1; }
r=$(printf '%s\n' "${refused_times[@]}" | median)
f=$(printf '%s\n' "${floor_times[@]}" | median)
echo "second apply refused while the lock is held, $rounds rounds (median ms)"
echo "  mcvirt apply, refused (whole CLI): $r   runs: ${refused_times[*]}"
echo "  floor: mcvirt lock status: $f   runs: ${floor_times[*]}"
awk -v r="$r" -v f="$f" 'BEGIN {printf "  ratio refused / floor: %.2f\n", r / f}'
