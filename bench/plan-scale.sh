#!/usr/bin/env bash
# Benchmark: `mcvirt plan` through the whole CLI on 1,000 and 10,000 vms, against the smaller size as the baseline
# measured in the same run. The node is libvirt's in-process test driver loaded from a generated node file
# (test:///PATH), so no libvirtd is needed: half of the vms already exist there (managed, marked, matching the
# manifest), the other half are new, and each vm has one disk and one NIC with a derived MAC. Prints the median
# wall time, CPU time and peak resident set size of each size, the floor (one virsh session doing the same reads
# on the same node file) and the ratios; see BENCHMARKS.md.
#   bench/plan-scale.sh [ROUNDS] [SIZES...]     (defaults: 3 rounds; sizes 1000 10000, the first is the baseline)
#   MCVIRT=/other/checkout/mcvirt bench/plan-scale.sh ...   measures another build (e.g. before a change)
# The JVM runs with -Xmx512m (through JAVA_TOOL_OPTIONS), so a run that needs more heap fails instead of growing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
mcvirt=${MCVIRT:-./mcvirt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() { # N -> $work/N/{cluster.yaml,node.xml}
  mkdir -p "$work/$1"
  python3 - "$1" "$work/$1" <<'PY'
import hashlib, sys
n, out = int(sys.argv[1]), sys.argv[2]
cluster, pool_path = "scale", "/var/lib/mcvirt/scale-images"
bridge = "mcv" + hashlib.sha256(f"{cluster}/net".encode()).hexdigest()[:8]
def mac(vm):  # mcvirt's derived MAC of nic 0 (attempt 0)
    return "52:54:00:" + ":".join(hashlib.sha256(f"{vm}/nic/0".encode()).hexdigest()[i:i + 2] for i in (0, 2, 4))
names = [f"vm-{i:05d}" for i in range(1, n + 1)]
existing = names[1::2]
with open(f"{out}/cluster.yaml", "w") as f:
    f.write(f"""apiVersion: mcvirt/v1
cluster: {{name: {cluster}}}
nodes:
  - name: here
    local: true
    libvirt: {{uri: "test://{out}/node.xml", domainType: qemu}}
    storage:
      - {{name: images, type: file, path: {pool_path}}}
networks:
  - {{name: net, nat: true, cidr: 192.168.181.0/24}}
vms:
""")
    for vm in names:
        f.write(f"  - {{name: {vm}, node: here, memory: 64MiB, disks: [{{name: root, size: 1MiB, storage: images}}],"
                f" nics: [{{network: net}}]}}\n")
with open(f"{out}/node.xml", "w") as f:
    f.write(f"""<node>
  <network>
    <name>mcvirt.{cluster}.net</name>
    <forward mode='nat'/>
    <bridge name='{bridge}'/>
    <ip address='192.168.181.1' netmask='255.255.255.0'><dhcp><range start='192.168.181.2' end='192.168.181.254'/></dhcp></ip>
  </network>
  <pool type='dir'>
    <name>mcvirt.{cluster}.images</name>
    <target><path>{pool_path}</path></target>
""")
    for vm in existing:
        f.write(f"    <volume><name>{vm}-root.qcow2</name><capacity unit='MiB'>1</capacity>"
                f"<target><path>{pool_path}/{vm}-root.qcow2</path></target></volume>\n")
    f.write("  </pool>\n")
    for vm in existing:
        source = f"{pool_path}/{vm}-root.qcow2"
        f.write(f"""  <domain type='test'>
    <name>{vm}</name>
    <metadata><mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'><mcvirt:cluster>{cluster}</mcvirt:cluster>
      <mcvirt:name>{vm}</mcvirt:name><mcvirt:protect>false</mcvirt:protect>
      <mcvirt:disk name='root' storage='images' target='vda' source='{source}'/></mcvirt:vm></metadata>
    <memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><source file='{source}'/><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><mac address='{mac(vm)}'/><source network='mcvirt.{cluster}.net'/></interface>
    </devices>
  </domain>
""")
    f.write("</node>\n")
PY
}

floor_reads() { # N -> $work/N/reads: what a plan reads, as virsh commands for one session
  {
    echo "list --all --name"; echo "net-list --all --name"; echo "pool-list --all --name"
    echo "net-dumpxml mcvirt.scale.net"; echo "net-info mcvirt.scale.net"
    echo "pool-dumpxml mcvirt.scale.images"; echo "vol-list mcvirt.scale.images --details"
    for i in $(seq 2 2 "$1"); do
      d=$(printf 'vm-%05d' "$i"); echo "dumpxml $d --inactive"; echo "dumpxml $d"; echo "dominfo $d"
    done
  } > "$work/$1/reads"
}

run() { # N -> "seconds kib cpu-seconds exitcode"
  local rc=0
  JAVA_TOOL_OPTIONS=-Xmx512m /usr/bin/time -f "%e %M %U %S" -o "$work/time" \
    "$mcvirt" -f "$work/$1/cluster.yaml" plan --detailed-exitcode >"$work/out" 2>"$work/err" || rc=$?
  tail -n 1 "$work/time" | awk -v rc="$rc" '{print $1, $2, $3 + $4, rc}'
}
floor() { # N -> seconds: one virsh process loading the same node file and doing the same reads
  local t0 t1
  t0=$(date +%s%N); virsh -c "test://$work/$1/node.xml" <"$work/$1/reads" >/dev/null; t1=$(date +%s%N)
  awk -v d=$((t1 - t0)) 'BEGIN {printf "%.2f\n", d / 1e9}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

"$mcvirt" --help >/dev/null 2>&1 || true   # build and train the class-data archive outside the measurement
declare -A wall cpu rss flo
for n in "${sizes[@]}"; do
  generate "$n"; floor_reads "$n"
  read -r _ _ _ rc <<<"$(run "$n")"   # warm-up: page cache, and the exit code must be 2 (changes, no problems)
  if [ "$rc" != 2 ]; then
    echo "plan of $n vms exited $rc, expected 2 (changes present):" >&2; tail -n 5 "$work/err" "$work/out" >&2; exit 1
  fi
  summary=$(grep '^Plan:' "$work/out" || true)
  times=(); cpus=(); peaks=(); floors=()
  for _ in $(seq 1 "$rounds"); do
    read -r s k c rc <<<"$(run "$n")"
    [ "$rc" = 2 ] || { echo "plan of $n vms exited $rc" >&2; exit 1; }
    times+=("$s"); cpus+=("$c"); peaks+=("$k"); floors+=("$(floor "$n")")
  done
  wall[$n]=$(printf '%s\n' "${times[@]}" | median)
  cpu[$n]=$(printf '%s\n' "${cpus[@]}" | median)
  flo[$n]=$(printf '%s\n' "${floors[@]}" | median)
  rss[$n]=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  echo "$n vms ($((n / 2)) existing, $((n - n / 2)) new), $rounds rounds, $summary"
  echo "  mcvirt plan (whole CLI, -Xmx512m): median ${wall[$n]} s wall (runs: ${times[*]}), ${cpu[$n]} s cpu,"\
    "peak RSS $((rss[$n] / 1024)) MiB"
  echo "  floor: one virsh session loading the node file and doing the same reads: median ${flo[$n]} s"\
    "(runs: ${floors[*]})"
done
base=${sizes[0]}
for n in "${sizes[@]:1}"; do
  awk -v a="${wall[$n]}" -v b="${wall[$base]}" -v c="${cpu[$n]}" -v d="${cpu[$base]}" -v f="${flo[$n]}" \
    -v g="${flo[$base]}" -v n="$n" -v m="$base" 'BEGIN {printf "ratio %d / %d vms: mcvirt wall %.2f, cpu %.2f;"\
    " floor %.2f (linear would be %.1f)\n", n, m, a / b, c / d, f / g, n / m}'
done
