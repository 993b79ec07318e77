#!/usr/bin/env bash
# Benchmark: creating a vm from a base image on this machine's libvirtd with `mcvirt apply` against the floor in the
# same run. mcvirt: upload the image (libvirt's upload stream; the source's SHA-256 checked when planned, remembered
# between runs, and the upload's on the node), copy it to a 2 GiB qcow2 disk, write the cloud-init seed and define the vm (stopped:
# the guest's boot is not measured). Floor: the same by hand in one shell: virsh vol-create-as + vol-upload of the
# image, qemu-img convert of it to the disk and qemu-img resize, xorriso for the seed, virsh define. Rounds alternate;
# each side's image, disk, seed and vm are removed before the other's turn. Prints medians and the ratio (BENCHMARKS.md).
#   bench/image-create.sh [ROUNDS]     (default 5; IMAGE=path of a qcow2, default the lab's Debian 12 guest image)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
image=${IMAGE:-$(lab/guest-image/build.sh)}
sha=$(sha256sum "$image" | cut -c1-64)
work=$(mktemp -d)
uri=qemu:///system
pool=mcvirt.ibench.images
dir=/var/lib/mcvirt/ibench-images
vm=ibench-vm
printf '#cloud-config\nhostname: ibench\n' >"$work/user-data.yaml"
cat >"$work/cluster.yaml" <<YAML
apiVersion: mcvirt/v1
cluster: {name: ibench}
nodes:
  - name: here
    local: true
    libvirt: {uri: "$uri", domainType: qemu}
    storage:
      - {name: images, type: file, path: $dir}
networks:
  - {name: net, nat: true, cidr: 192.168.183.0/24}
images:
  - {name: debian12, source: $image, sha256: $sha}
vms:
  - name: $vm
    node: here
    memory: 512MiB
    state: stopped
    disks: [{name: root, size: 2GiB, storage: images, image: debian12}]
    nics: [{network: net}]
    cloudInit: {userData: user-data.yaml}
YAML
sed '/^images:/,$d' "$work/cluster.yaml" >"$work/novms.yaml"; echo "vms: []" >>"$work/novms.yaml"
unmake() {
  virsh -c $uri undefine "$vm" >/dev/null 2>&1 || true
  for v in $(virsh -c $uri vol-list $pool 2>/dev/null | awk 'NR>2 && $1 {print $1}'); do
    virsh -c $uri vol-delete "$v" --pool $pool >/dev/null 2>&1 || true
  done
}
cleanup() {
  unmake
  ./mcvirt -f "$work/novms.yaml" apply --auto-approve --allow-destroy >/dev/null 2>&1 || true
  virsh -c $uri net-destroy mcvirt.ibench.net >/dev/null 2>&1 || true
  virsh -c $uri net-undefine mcvirt.ibench.net >/dev/null 2>&1 || true
  virsh -c $uri pool-destroy $pool >/dev/null 2>&1 || true
  virsh -c $uri pool-undefine $pool >/dev/null 2>&1 || true
  rm -rf "$work" "$dir"
}
trap cleanup EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# the definition mcvirt writes, for the floor; the pool and network stay for both sides
./mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null
virsh -c $uri dumpxml --inactive "$vm" >"$work/vm.xml"
seed=$(sed -n "s|.*<source file='\\($dir/seed\\.[^']*\\)'.*|\\1|p" "$work/vm.xml")
disk=$dir/$vm-root.qcow2
size=$(stat -c %s "$image")
volume=image.floor.qcow2
cp "$work/user-data.yaml" "$work/user-data"
printf '{"instance-id":"iid-floor","local-hostname":"%s"}\n' "$vm" >"$work/meta-data"
floor() {
  virsh -c $uri vol-create-as $pool $volume "$size" --format raw >/dev/null
  virsh -c $uri vol-upload $volume "$image" --pool $pool >/dev/null
  qemu-img convert -f qcow2 -O qcow2 "$dir/$volume" "$disk"
  qemu-img resize -q -f qcow2 "$disk" 2G
  xorriso -as mkisofs -quiet -o "$seed" -V cidata -J -R "$work/user-data" "$work/meta-data" 2>/dev/null
  virsh -c $uri pool-refresh $pool >/dev/null
  virsh -c $uri define "$work/vm.xml" >/dev/null
}

creates=(); floors=()
for r in $(seq 1 "$rounds"); do
  unmake
  t0=$(now); ./mcvirt -f "$work/cluster.yaml" apply --auto-approve >/dev/null; t1=$(now)
  creates+=("$(ms "$t0" "$t1")")
  ./mcvirt -f "$work/cluster.yaml" plan --detailed-exitcode >/dev/null \
    || { echo "round $r: the plan after mcvirt's create is not empty" >&2; exit 1; }
  unmake
  t0=$(now); floor; t1=$(now)
  floors+=("$(ms "$t0" "$t1")")
  echo "round $r: mcvirt ${creates[-1]} ms, floor ${floors[-1]} ms" >&2
done
unmake

c=$(printf '%s\n' "${creates[@]}" | median)
f=$(printf '%s\n' "${floors[@]}" | median)
echo "a vm from a $((size >> 20)) MiB qcow2 image with a 2 GiB disk and a cloud-init seed, $rounds alternating rounds (median ms)"
echo "  mcvirt apply (whole CLI; upload, SHA-256 of the source (remembered between runs) and of the upload on the node, copy, seed, define): $c   runs: ${creates[*]}"
echo "  floor: vol-create-as + virsh vol-upload, qemu-img convert + resize, xorriso, define: $f   runs: ${floors[*]}"
awk -v c="$c" -v f="$f" 'BEGIN {printf "  ratio mcvirt / floor: %.2f\n", c / f}'
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
