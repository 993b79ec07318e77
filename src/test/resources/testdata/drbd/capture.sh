#!/usr/bin/env bash
# Captures the real DRBD 8.4 and LVM outputs the state package's unit tests read, from the two-node lab
# (lab/up; node1 = 10.99.0.1, node2 = 10.99.0.2, DRBD 8.4.11 kernel, drbd-utils 9.22, LVM vg0).
#   src/test/resources/testdata/drbd/capture.sh        (run from the repository root)
# It creates two 64 MiB LVs and DRBD resources on both nodes, mcvcap0 (minor 160, port 7960) and mcvcap1
# (minor 161, port 7961, resync rate 1M so that its sync and verify run long enough to be seen), walks them
# through the states below, writes each output here and under ../lvm, and removes everything it made.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lvm=$here/../lvm
ssh() { lab/ssh "$@" </dev/null; }
put() { local node=$1 file=$2; lab/ssh "$node" "cat > $file"; }
proc() { ssh "$1" cat /proc/drbd; }

for node in node1 node2; do
  if ssh "$node" 'grep -q "^ *16[01]:" /proc/drbd || ls /etc/drbd.d/mcvcap* || lvs vg0/mcvcap0 || lvs vg0/mcvcap1' \
      >/dev/null 2>&1; then
    echo "minor 160/161 or mcvcap* already in use on $node: clean up first" >&2
    exit 1
  fi
done

cleanup() {
  for node in node2 node1; do
    for r in mcvcap0 mcvcap1; do
      ssh "$node" "drbdadm down $r; rm -f /etc/drbd.d/$r.res; lvremove -y vg0/$r" >/dev/null 2>&1 || true
    done
  done
}
trap cleanup EXIT

resource() { # name minor port rate
  cat <<RES
resource $1 {
  protocol C;
  net {
    cram-hmac-alg sha1;
    shared-secret "capture-secret-$1";
    verify-alg sha1;
  }
  disk {
    resync-rate $4;
    c-plan-ahead 0;
  }
  on node1 {
    device /dev/drbd$2 minor $2;
    disk /dev/vg0/$1;
    address 10.99.0.1:$3;
    meta-disk internal;
  }
  on node2 {
    device /dev/drbd$2 minor $2;
    disk /dev/vg0/$1;
    address 10.99.0.2:$3;
    meta-disk internal;
  }
}
RES
}

for node in node1 node2; do
  ssh "$node" "lvcreate -y -W y -L 64M -n mcvcap0 vg0 && lvcreate -y -W y -L 64M -n mcvcap1 vg0 --addtag mcvirt-capture"
  resource mcvcap0 160 7960 100M | put "$node" /root/mcvcap0.res
  resource mcvcap1 161 7961 1M | put "$node" /root/mcvcap1.res
  for r in mcvcap0 mcvcap1; do
    ssh "$node" "drbdadm -c /root/$r.res dump $r >/dev/null && mv /root/$r.res /etc/drbd.d/$r.res && drbdadm create-md --force $r"
  done
done

ssh node1 "drbdadm up mcvcap0 && drbdadm up mcvcap1"
sleep 1
proc node1 >"$here/proc-drbd-wfconnection.txt"
ssh node2 "drbdadm up mcvcap0 && drbdadm up mcvcap1"
for _ in $(seq 1 50); do proc node1 | grep -q 'cs:Connected.*Inconsistent/Inconsistent' && break; sleep 0.2; done
ssh node1 "drbdadm primary --force mcvcap0 && drbdadm primary --force mcvcap1"
sleep 4
proc node1 >"$here/proc-drbd-syncsource.txt"
proc node2 >"$here/proc-drbd-synctarget.txt"
ssh node1 "drbdadm disk-options --resync-rate=100M mcvcap1"
for _ in $(seq 1 100); do [[ $(proc node1 | grep -c 'UpToDate/UpToDate') == 2 ]] && break; sleep 0.5; done

proc node1 >"$here/proc-drbd-connected.txt"
proc node2 >"$here/proc-drbd-connected-peer.txt"
ssh node1 drbdsetup show >"$here/drbdsetup-show-two.txt"
ssh node1 drbdadm --version >"$here/drbdadm-version.txt"
ssh node1 "lvs --reportformat json --units b --nosuffix -o lv_name,vg_name,lv_size,lv_path,lv_attr,lv_tags" \
  >"$lvm/lvs.json"
ssh node1 "vgs --reportformat json --units b --nosuffix -o vg_name,vg_size,vg_free" >"$lvm/vgs.json"

ssh node1 "drbdadm disk-options --resync-rate=1M mcvcap1 && drbdadm verify mcvcap1"
sleep 4
proc node1 >"$here/proc-drbd-verify.txt"
proc node2 >"$here/proc-drbd-verify-peer.txt"
ssh node1 "drbdadm disk-options --resync-rate=100M mcvcap1"
for _ in $(seq 1 100); do proc node1 | grep -q '161: cs:Connected' && break; sleep 0.5; done

# 64 KiB of garbage below DRBD on node2, then a verify finds it
ssh node2 "dd if=/dev/urandom of=/dev/vg0/mcvcap0 bs=4096 seek=256 count=16 oflag=direct status=none"
ssh node1 "drbdadm verify mcvcap0"
sleep 1
for _ in $(seq 1 100); do proc node1 | grep -q '160: cs:Connected' && break; sleep 0.5; done
proc node1 >"$here/proc-drbd-out-of-sync.txt"

ssh node1 "drbdadm disconnect mcvcap0"
sleep 1
proc node1 >"$here/proc-drbd-standalone.txt"

cleanup
trap - EXIT
proc node1 >"$here/proc-drbd-empty.txt"
echo "captured into $here and $lvm"
