#!/usr/bin/env bash
# Benchmark: the no-change `mcvirt plan --detailed-exitcode` on the two-node lab with VMS running vms per node,
# against the floor measured in the same run: per node, in parallel, one virsh session over the same libvirt URI
# mcvirt uses (qemu+libssh, the node's key and known_hosts) doing the same libvirt reads, beside one ssh running the
# same storage tools (lvs, vgs, drbdadm --version, /proc/drbd, drbdsetup show, /proc/meminfo). Rounds alternate
# mcvirt, the floor and, when MCVIRT_OLD names an older build's ./mcvirt, that build, so a regression shows as a
# ratio in one run. With CREATE_ROUNDS > 0 it also times creating the vms (apply of an empty cluster to VMS per
# node) against the floor of the same defines and starts with virsh, one session per node in parallel.
#   bench/lab-noop.sh [ROUNDS]     (default 7; VMS=10, MCVIRT_OLD=, CREATE_ROUNDS=0; needs the lab: lab/up)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-7}
vms=${VMS:-10}
create_rounds=${CREATE_ROUNDS:-0}
old=${MCVIRT_OLD:-}
lab/status >/dev/null || { echo "the lab is not up (lab/status; lab/up starts it)" >&2; exit 1; }
[ -z "$old" ] || [ -x "$old" ] || { echo "MCVIRT_OLD=$old is not an executable mcvirt" >&2; exit 1; }
work=$(mktemp -d)
id=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cluster=ln$id
state=/var/lib/mcvirt-$cluster
sed -e "s|path: /var/lib/mcvirt/images}|path: /var/lib/mcvirt/$cluster}|" \
  -e "s|    address: 127.0.0.1$|    address: 127.0.0.1\n    paths: {state: $state}|" lab/.state/nodes.yaml >"$work/nodes.yaml"
grep -q "/var/lib/mcvirt/$cluster" "$work/nodes.yaml" || { echo "the lab's nodes file has no images storage" >&2; exit 1; }
{
  printf 'apiVersion: mcvirt/v1\ncluster: {name: %s}\n' "$cluster"
  printf 'networks:\n  - {name: lnnet, nat: true, cidr: 192.168.154.0/24}\nvms:\n'
  for node in node1 node2; do
    for i in $(seq -w 1 "$vms"); do
      echo "  - {name: ln-$id-$node-$i, node: $node, memory: 64MiB, state: running, autostart: false," \
        "disks: [{name: root, size: 1MiB, storage: images}], nics: [{network: lnnet}]}"
    done
  done
} >"$work/cluster.yaml"
printf 'apiVersion: mcvirt/v1\ncluster: {name: %s}\nnetworks: []\nvms: []\n' "$cluster" >"$work/nothing.yaml"
mcvirt() { ./mcvirt -f "$work/nodes.yaml" "$@"; }
key=$(sed -n 's/.*identityFile: \([^,}]*\).*/\1/p' lab/.state/nodes.yaml | head -n 1)
known=$(sed -n 's/.*knownHosts: \([^,}]*\).*/\1/p' lab/.state/nodes.yaml | head -n 1)
port() { sed -n "/name: $1\$/,/ssh:/s/.*port: \([0-9]*\).*/\1/p" lab/.state/nodes.yaml | head -n 1; }
uri() { echo "qemu+libssh://root@127.0.0.1:$(port "$1")/system?sshauth=privkey&keyfile=$key&known_hosts=$known&known_hosts_verify=normal"; }
nodessh() {
  local node=$1; shift
  ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known" -o ControlMaster=no \
    -o ControlPath=none -i "$key" -p "$(port "$node")" root@127.0.0.1 "$@"
}
cleanup() {
  mcvirt -f "$work/nothing.yaml" lock break --force >/dev/null 2>&1 || true
  mcvirt -f "$work/nothing.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null 2>&1 || true
  for node in node1 node2; do
    # shellcheck disable=SC2029 # the names are expanded here on purpose
    lab/ssh "$node" "for d in \$(virsh -c qemu:///system list --all --name | grep '^ln-$id-'); do" \
      "virsh -c qemu:///system destroy \$d; virsh -c qemu:///system undefine \$d; done;" \
      "virsh -c qemu:///system net-destroy mcvirt.$cluster.lnnet; virsh -c qemu:///system net-undefine" \
      "mcvirt.$cluster.lnnet; virsh -c qemu:///system pool-destroy mcvirt.$cluster.images; virsh -c qemu:///system" \
      "pool-undefine mcvirt.$cluster.images; rm -rf $state /var/lib/mcvirt/$cluster" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
# KEEP=1 leaves the cluster on the lab (and says where its files are) for a look afterwards
if [ -n "${KEEP:-}" ]; then trap 'echo "kept: $work" >&2' EXIT; else trap cleanup EXIT; fi

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# the floor of a no-change plan on one node: its libvirt reads in one virsh session and its storage reads in one
# ssh, side by side
floor_node() {
  local node=$1 reads
  reads="list --all --name; net-list --all --name; pool-list --all --name; nodeinfo"
  reads="$reads; net-dumpxml mcvirt.$cluster.lnnet; net-info mcvirt.$cluster.lnnet; pool-dumpxml mcvirt.$cluster.images"
  reads="$reads; pool-refresh mcvirt.$cluster.images; vol-list mcvirt.$cluster.images --details"
  for i in $(seq -w 1 "$vms"); do reads="$reads; dumpxml ln-$id-$node-$i; dominfo ln-$id-$node-$i"; done
  virsh -c "$(uri "$node")" "$reads" >/dev/null &
  nodessh "$node" "lvs --reportformat json --units b --nosuffix; vgs --reportformat json --units b --nosuffix;" \
    "drbdadm --version; cat /proc/drbd; drbdsetup show; cat /proc/meminfo" >/dev/null 2>&1 &
  wait
}
floor() {
  floor_node node1 &
  floor_node node2 &
  wait
}

creates=(); create_floors=()
create_floor_node() {
  local node=$1 cmds=""
  for i in $(seq -w 1 "$vms"); do
    cmds="$cmds; vol-create-as mcvirt.$cluster.images ln-$id-$node-$i-root.qcow2 1M --format qcow2"
    cmds="$cmds; define $work/xml/ln-$id-$node-$i.xml; start ln-$id-$node-$i"
  done
  virsh -c "$(uri "$node")" "${cmds#; }" >/dev/null
}
unmake_floor_node() {
  local node=$1 cmds=""
  for i in $(seq -w 1 "$vms"); do
    cmds="$cmds; destroy ln-$id-$node-$i; undefine ln-$id-$node-$i"
    cmds="$cmds; vol-delete ln-$id-$node-$i-root.qcow2 --pool mcvirt.$cluster.images"
  done
  virsh -c "$(uri "$node")" "${cmds#; }" >/dev/null
}
if [ "$create_rounds" -gt 0 ]; then
  # the network and the pool stay: both sides create only the vms (their disks, defines and starts)
  mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null
  mkdir -p "$work/xml"
  for node in node1 node2; do
    for i in $(seq -w 1 "$vms"); do
      virsh -c "$(uri "$node")" dumpxml --inactive "ln-$id-$node-$i" >"$work/xml/ln-$id-$node-$i.xml"
    done
  done
  sed '/^vms:/,$d' "$work/cluster.yaml" >"$work/novms.yaml"; echo "vms: []" >>"$work/novms.yaml"
  for r in $(seq 1 "$create_rounds"); do
    mcvirt -f "$work/novms.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null
    t0=$(now); mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null; t1=$(now)
    creates+=("$(ms "$t0" "$t1")")
    mcvirt -f "$work/novms.yaml" apply --auto-approve --allow-destroy --shutdown-timeout 1 >/dev/null
    t0=$(now); create_floor_node node1 & create_floor_node node2 & wait; t1=$(now)
    create_floors+=("$(ms "$t0" "$t1")")
    unmake_floor_node node1 & unmake_floor_node node2 & wait
    echo "create round $r: mcvirt ${creates[-1]} ms, floor ${create_floors[-1]} ms" >&2
  done
fi

mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null
mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null || { echo "setup: plan is not empty" >&2; exit 1; }
if [ -n "$old" ]; then
  timeout 120 "$old" -f "$work/nodes.yaml" -f "$work/cluster.yaml" plan --detailed-exitcode >"$work/old.log" 2>&1 \
    || { echo "setup: the plan of $old is not empty: $(tail -n 20 "$work/old.log")" >&2; exit 1; }
fi

plans=(); floors=(); olds=()
for r in $(seq 1 "$rounds"); do
  t0=$(now); mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null; t1=$(now)
  floor; t2=$(now)
  plans+=("$(ms "$t0" "$t1")"); floors+=("$(ms "$t1" "$t2")")
  if [ -n "$old" ]; then
    t0=$(now); timeout 120 "$old" -f "$work/nodes.yaml" -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null; t1=$(now)
    olds+=("$(ms "$t0" "$t1")")
  fi
  echo "round $r: mcvirt ${plans[-1]} ms, floor ${floors[-1]} ms${old:+, old ${olds[-1]} ms}" >&2
done
mcvirt -f "$work/cluster.yaml" --timings plan --detailed-exitcode 2>"$work/timings" >/dev/null || true

m=$(printf '%s\n' "${plans[@]}" | median)
f=$(printf '%s\n' "${floors[@]}" | median)
echo "no-change plan on the lab, $vms running vms per node, $rounds alternating rounds (median, ms)"
echo "  mcvirt plan: $m   runs: ${plans[*]}"
echo "  floor (virsh + ssh per node, in parallel): $f   runs: ${floors[*]}"
awk -v m="$m" -v f="$f" 'BEGIN {printf "  ratio mcvirt / floor: %.2f\n", m / f}'
if [ -n "$old" ]; then
  o=$(printf '%s\n' "${olds[@]}" | median)
  echo "  older build ($old): $o   runs: ${olds[*]}"
  awk -v m="$m" -v o="$o" -v f="$f" 'BEGIN {printf "  ratio mcvirt / older: %.2f   older / floor: %.2f\n", m / o, o / f}'
fi
if [ "$create_rounds" -gt 0 ]; then
  c=$(printf '%s\n' "${creates[@]}" | median)
  cf=$(printf '%s\n' "${create_floors[@]}" | median)
  echo "create of $vms vms per node, $create_rounds rounds (median, ms)"
  echo "  mcvirt apply: $c   runs: ${creates[*]}"
  echo "  floor (virsh vol-create-as, define, start; one session per node, in parallel): $cf   runs: ${create_floors[*]}"
  awk -v c="$c" -v f="$cf" 'BEGIN {printf "  ratio mcvirt / floor: %.2f\n", c / f}'
fi
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--timings of one more plan:"
sed 's/^/  /' "$work/timings"
