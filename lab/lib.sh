# shellcheck shell=bash
# Shared by lab/up, lab/down, lab/status, lab/ssh, lab/power and lab/wire. Source it; it defines no
# behaviour on its own.
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
STATE_DIR=$LAB_DIR/.state
CACHE_DIR=${MCVIRT_LAB_CACHE:-/var/cache/mcvirt-lab}
LAB_KEY=$CACHE_DIR/keys/lab_ed25519
KNOWN_HOSTS=$STATE_DIR/known_hosts
NODES_YAML=$STATE_DIR/nodes.yaml
LAB_ENV=$STATE_DIR/lab.env
NODES=(node1 node2)

# Settings. lab/up records what it used in lab/.state/lab.env; the other commands read that back so
# they reach the lab that is running even when the environment differs.
LAB_NODE1_PORT=${MCVIRT_LAB_NODE1_PORT:-2221}
LAB_NODE2_PORT=${MCVIRT_LAB_NODE2_PORT:-2222}
LAB_WIRE_PORT=${MCVIRT_LAB_WIRE_PORT:-10101}
LAB_MEMORY_MIB=${MCVIRT_LAB_MEMORY_MIB:-1536}
LAB_DATA_DISK_SIZE=${MCVIRT_LAB_DATA_DISK_SIZE:-4G}
# Timeouts in seconds of the waits of lab/up, lab/power and lab/wire.
BOOT_TIMEOUT=${MCVIRT_LAB_BOOT_TIMEOUT:-240}
SERVICE_TIMEOUT=${MCVIRT_LAB_SERVICE_TIMEOUT:-120}
WIRE_TIMEOUT=${MCVIRT_LAB_WIRE_TIMEOUT:-60}
LAB_DOMAIN_TYPE=qemu
load_lab_env() {
  if [[ -f $LAB_ENV ]]; then
    # shellcheck source=/dev/null
    source "$LAB_ENV"
  fi
}

# Per-node facts. MACs and wire addresses must match lab/image/rootfs/etc/systemd/network/*.network.
node_number() {
  case $1 in
    node1) echo 1 ;;
    node2) echo 2 ;;
    *) die "unknown node '$1' (known: ${NODES[*]})" ;;
  esac
}
node_port() {
  local var
  var="LAB_NODE$(node_number "$1")_PORT"
  echo "${!var}"
}
node_wire_ip() { echo "10.99.0.$(node_number "$1")"; }
node_mac() { # NODE mgmt|wire
  local last=00
  [[ $2 == wire ]] && last=01
  echo "52:54:00:6c:0$(node_number "$1"):$last"
}
node_dir() { echo "$STATE_DIR/$1"; }
node_console() { echo "$STATE_DIR/$1/console.log"; }
node_pidfile() { echo "$STATE_DIR/$1/qemu.pid"; }

die() {
  printf 'lab: %s\n' "$*" >&2
  exit 1
}
say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

# Milliseconds since the epoch, and seconds since a start mark with one decimal.
now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}
seconds_since() { # START_MS
  local d=$(($(now_ms) - $1))
  printf '%d.%d' $((d / 1000)) $((d % 1000 / 100))
}

# Succeeds when PID is a live QEMU of this lab: its command line carries this lab's own -pidfile path.
# A reaped or zombie process has no command line, so it does not count.
is_lab_qemu() { # PID PIDFILE
  local pid=$1 pidfile=$2 arg previous=""
  local -a args=()
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  mapfile -d '' args <"/proc/$pid/cmdline" 2>/dev/null || return 1
  ((${#args[@]} > 0)) && [[ ${args[0]##*/} == qemu-system-* ]] || return 1
  for arg in "${args[@]}"; do
    [[ $previous == -pidfile && $arg == "$pidfile" ]] && return 0
    previous=$arg
  done
  return 1
}
# Prints the PID of NODE's QEMU when its pidfile names a live QEMU of this lab; fails otherwise.
qemu_pid() { # NODE
  local pidfile pid
  pidfile=$(node_pidfile "$1")
  [[ -s $pidfile ]] && read -r pid <"$pidfile" && is_lab_qemu "$pid" "$pidfile" || return 1
  echo "$pid"
}

# The last lines of NODE's serial console, without colour codes and carriage returns.
console_tail() { # NODE [LINES]
  local console
  console=$(node_console "$1")
  if [[ -s $console ]]; then
    tail -n "${2:-25}" "$console" | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r//g' -e "s/^/  $1 console| /"
  else
    say "  $1 console: (empty or missing: $console)"
  fi
}

# ssh to a node as root, verifying its host key against lab/.state/known_hosts (written by lab/up
# before the first contact), with the lab key and no user ssh config.
lab_ssh_options() { # NODE   (env: LAB_SSH_FRESH=1: a connection of its own, not the shared one)
  local socket
  local -a options=(
    -F none -i "$LAB_KEY" -p "$(node_port "$1")"
    -o IdentitiesOnly=yes -o BatchMode=yes
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null
    -o ConnectTimeout="${LAB_SSH_CONNECT_TIMEOUT:-5}" -o ServerAliveInterval=5 -o ServerAliveCountMax=6
    -o LogLevel=ERROR
  )
  # One connection per node, kept for two minutes and shared by every call (a fresh one costs the TCG guest about a
  # second of key exchange; a channel on a kept one 0.1 s). The master dies with the node's QEMU (its forwarded port
  # closes); lab/power off and lab/down end it first. A frozen node's master hangs until its keepalives give up
  # (30 s). Probes of whether sshd takes new connections (probe_node, Lab.awaitSsh after a reload) use LAB_SSH_FRESH.
  # ssh binds "SOCKET.<16 characters>" first: a checkout too deep for a socket address uses /tmp.
  if [[ ${LAB_SSH_FRESH:-} == 1 ]]; then
    options+=(-o ControlMaster=no -o ControlPath=none)
  else
    socket="$(node_dir "$1")/ssh.sock"
    ((${#socket} <= 80)) || socket="/tmp/mcvirt-lab-ssh-$(node_port "$1").sock"
    options+=(-o ControlMaster=auto -o ControlPath="$socket" -o ControlPersist=120)
  fi
  printf '%s\n' "${options[@]}"
}
lab_ssh_close() { # NODE   ends the node's shared connection, if any
  local -a options
  mapfile -t options < <(lab_ssh_options "$1")
  ssh "${options[@]}" -O exit root@127.0.0.1 >/dev/null 2>&1 || true
}
lab_ssh() { # NODE [COMMAND...]   (env: LAB_SSH_DEADLINE=SECONDS bounds the whole call)
  local node=$1
  shift
  local -a options prefix=()
  mapfile -t options < <(lab_ssh_options "$node")
  if [[ -n ${LAB_SSH_DEADLINE:-} ]]; then
    prefix=(timeout "$LAB_SSH_DEADLINE")
  fi
  "${prefix[@]}" ssh "${options[@]}" root@127.0.0.1 "$@"
}

# Sets a node's clock to the host's. The guests have no time service and take their clock from the emulated RTC at boot,
# which has whole seconds: two nodes were seen 120 ms apart, which libvirt's migration downtime (the source's pause to
# the target's resume, each on its own clock) then showed as 120 ms more one way and less the other. The offset is
# measured inside one ssh session (with a terminal, so ssh turns Nagle's algorithm off), the node answering each line
# with bash's own clock (starting `date` takes 40 ms on a lab node, during which the answer ages), the sample with the
# shortest round trip is taken, and the node steps its clock by it in one process (perl: clock_gettime, then
# clock_settime, x86_64 system calls 228 and 227). Prints the offset corrected and that round trip, in ms.
sync_clock() { # NODE
  local node=$1 best_rtt="" best_offset=0 t0 t1 there i
  # shellcheck disable=SC2016 # expanded by the node's bash
  coproc CLOCK { LAB_SSH_FRESH=1 LAB_SSH_DEADLINE=30 lab_ssh "$node" -tt \
    'stty -echo; echo ready; exec bash -c '\''while read -r l && [ "$l" != q ]; do echo "${EPOCHREALTIME/./}"; done'\'; }
  # nothing is sent before the terminal stops echoing (an echoed line would be read as the answer)
  read -r -t 30 there <&"${CLOCK[0]}" || { echo "no answer from $node" >&2; return 1; }
  for i in 1 2 3 4 5 6 7 8 9 10 11; do
    t0=$(date +%s%N)
    echo "$i" >&"${CLOCK[1]}"
    read -r -t 10 there <&"${CLOCK[0]}" || { echo "no answer from $node" >&2; break; }
    t1=$(date +%s%N)
    there=${there%$'\r'}
    [[ $there =~ ^[0-9]{16}$ ]] || { echo "$node answered '$there', not its clock" >&2; return 1; }
    ((i == 1)) && continue # the first answer also pays for starting bash
    if [[ -z $best_rtt ]] || ((t1 - t0 < best_rtt)); then
      best_rtt=$((t1 - t0))
      best_offset=$((${there#0} * 1000 - (t0 + t1) / 2))
    fi
  done
  # "q" ends the node's loop and so the session (with a terminal, closing its input would not: it would wait for
  # LAB_SSH_DEADLINE)
  echo q >&"${CLOCK[1]}"
  wait "$CLOCK_PID" 2>/dev/null || true
  [[ -n $best_rtt ]] || return 1
  LAB_SSH_DEADLINE=30 lab_ssh "$node" perl - "$best_offset" <<'PERL' || return 1
use integer;
my $offset = shift;
my $now = pack("q2", 0, 0);
syscall(228, 0, $now) == 0 or die "clock_gettime: $!\n";
my ($s, $ns) = unpack("q2", $now);
my $n = $s * 1000000000 + $ns - $offset;
syscall(227, 0, pack("q2", $n / 1000000000, $n % 1000000000)) == 0 or die "clock_settime: $!\n";
PERL
  echo "$((best_offset / 1000000)) $((best_rtt / 1000000))"
}

# One round trip that reports a node's readiness as key=value lines (empty value = not ready).
# With a peer address it also pings the peer over the wire.
probe_node() { # NODE [PEER_WIRE_IP]
  local peer=${2:-}
  # shellcheck disable=SC2016 # expanded by the guest's shell
  LAB_SSH_FRESH=1 LAB_SSH_DEADLINE=30 LAB_SSH_CONNECT_TIMEOUT=4 lab_ssh "$1" "PEER='$peer' sh -s" 2>&1 <<'EOF'
echo "hostname=$(hostname)"
echo "drbd=$(sed -n 's/^version: \([^ ]*\).*/\1/p' /proc/drbd 2>/dev/null)"
v=$(timeout 10 virsh -c qemu:///system version 2>/dev/null)
echo "libvirt=$(echo "$v" | sed -n 's/^Using library: libvirt //p')"
echo "hypervisor=$(echo "$v" | sed -n 's/^Running hypervisor: //p')"
echo "vg0=$(vgs --noheadings --units g -o vg_size,vg_free vg0 2>/dev/null | awk '{print $1 " (" $2 " free)"}')"
[ -d /var/lib/mcvirt/images ] && echo "images=/var/lib/mcvirt/images" || echo "images="
[ -c /dev/kvm ] && echo "kvm=yes" || echo "kvm=no"
if [ -n "$PEER" ]; then
  echo "wire=$(ping -n -c1 -W2 "$PEER" 2>/dev/null | sed -n 's/.*time=\([0-9.]* ms\).*/\1/p')"
fi
EOF
}
# Value of KEY in probe_node output.
probe_value() { # OUTPUT KEY
  sed -n "s/^$2=//p" <<<"$1" | head -n 1
}

# --- booting a node and waiting until it is ready (lab/up, lab/power) ----------------------------
# What a wait saw on NODE: the message, the last attempt's output, the QEMU log when QEMU is gone,
# and the tail of the serial console.
report_node() { # NODE MESSAGE [LAST_OUTPUT]
  local node=$1
  {
    say "lab: $node: $2"
    if [[ -n ${3:-} ]]; then
      say "  last attempt said:"
      indent <<<"$3"
    fi
    if ! qemu_pid "$node" >/dev/null; then
      say "  QEMU of $node is not running; its log ($(node_dir "$node")/qemu.log):"
      indent <"$(node_dir "$node")/qemu.log" 2>/dev/null || true
    fi
    console_tail "$node" 30
    say "  full console: $(node_console "$node")"
  } >&2
}
fail_node() { # NODE MESSAGE [LAST_OUTPUT]
  report_node "$@"
  die "giving up; the nodes are left as they are for a look (lab/status, lab/ssh); lab/down stops them"
}

port_in_use() { # PORT
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# NODE's end of the wire, a QEMU -netdev socket over host loopback: node1 listens, node2 connects.
# The connecting end connects once, when its QEMU starts, and never again (QEMU 7.2): node2 cannot
# start while node1 is off, and when node1's QEMU goes away node2's end stays dead until node2's QEMU
# is restarted too. The listening end accepts again whenever its peer goes away.
node_wire_socket() { # NODE
  if [[ $1 == node1 ]]; then
    echo "listen=127.0.0.1:$LAB_WIRE_PORT"
  else
    echo "connect=127.0.0.1:$LAB_WIRE_PORT"
  fi
}

# Starts NODE's QEMU on the disks in lab/.state/NODE (root.qcow2 on IMAGE_DIR's root.raw, data.raw).
start_node() { # NODE
  local node=$1 dir
  local -a extra=()
  dir=$(node_dir "$node")
  if [[ -s $IMAGE_DIR/qemu-caps.tar ]]; then
    extra+=(-fw_cfg "name=opt/mcvirt-lab/qemu-caps.tar,file=$IMAGE_DIR/qemu-caps.tar")
  fi
  qemu-system-x86_64 \
    -name "mcvirt-lab-$node" -nodefaults -no-user-config \
    -machine pc -accel tcg,thread=multi,tb-size=256 -cpu max -smp 1 -m "$LAB_MEMORY_MIB" \
    -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
    -append "root=LABEL=mcvirt-lab-root rw console=ttyS0 net.ifnames=0 mitigations=off systemd.hostname=$node" \
    -drive "file=$dir/root.qcow2,if=none,id=root,format=qcow2,cache=unsafe" \
    -device virtio-blk-pci,drive=root,serial=lab-root \
    -drive "file=$dir/data.raw,if=none,id=data,format=raw,cache=none,aio=threads" \
    -device virtio-blk-pci,drive=data,serial=lab-data \
    -netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:$(node_port "$node")-:22" \
    -device "virtio-net-pci,netdev=mgmt,mac=$(node_mac "$node" mgmt)" \
    -netdev "socket,id=wire,$(node_wire_socket "$node")" \
    -device "e1000,netdev=wire,mac=$(node_mac "$node" wire)" \
    -device virtio-rng-pci \
    "${extra[@]}" \
    -display none \
    -serial "file:$dir/console.log" \
    -monitor "unix:$dir/monitor.sock,server=on,wait=off" \
    -pidfile "$(node_pidfile "$node")" -daemonize \
    >"$dir/qemu.log" 2>&1 8>&- 9>&- ||
    { cat "$dir/qemu.log" >&2; die "$node: QEMU did not start (log: $dir/qemu.log)"; }
}

# CPU seconds NODE's QEMU has used: with the wall time it tells a slow guest from a busy host.
qemu_cpu_seconds() { # NODE
  local pid stat ticks
  local -a fields
  pid=$(qemu_pid "$1") || { echo '?'; return 0; }
  stat=$(<"/proc/$pid/stat")
  read -r -a fields <<<"${stat##*) }"
  ticks=$((fields[11] + fields[12]))
  echo $((ticks / $(getconf CLK_TCK)))
}

# Waits until every NODE answers ssh; fails fast when a QEMU exits or a kernel panics. Counts the time
# from BOOT_START_MS, which BOOT_START_LABEL names.
wait_for_ssh() { # NODE...
  local deadline=$((SECONDS + BOOT_TIMEOUT)) node out
  local -a pending=("$@") still
  local -A last=()
  while :; do
    still=()
    for node in "${pending[@]}"; do
      qemu_pid "$node" >/dev/null || fail_node "$node" "QEMU exited while booting"
      if grep -q 'Kernel panic' "$(node_console "$node")" 2>/dev/null; then
        fail_node "$node" "the guest kernel panicked"
      fi
      if out=$(LAB_SSH_CONNECT_TIMEOUT=3 LAB_SSH_DEADLINE=15 lab_ssh "$node" true 2>&1); then
        say "   $node: ssh answers $(seconds_since "$BOOT_START_MS")s after $BOOT_START_LABEL" \
          "(QEMU used $(qemu_cpu_seconds "$node") CPU seconds)"
      else
        last[$node]=$out
        still+=("$node")
      fi
    done
    pending=("${still[@]}")
    ((${#pending[@]})) || return 0
    if ((SECONDS >= deadline)); then
      for node in "${pending[@]}"; do
        report_node "$node" "no ssh on 127.0.0.1:$(node_port "$node") after ${BOOT_TIMEOUT}s" "${last[$node]}"
      done
      die "giving up; the nodes are left as they are for a look (lab/status, lab/ssh); lab/down stops them"
    fi
    sleep 1
  done
}

# Runs REMOTE_COMMAND on NODE until it succeeds; on expiry dies with its last output and the console.
wait_for() { # TIMEOUT WHAT NODE REMOTE_COMMAND
  local timeout=$1 what=$2 node=$3 command=$4 deadline out started
  deadline=$((SECONDS + timeout))
  started=$(now_ms)
  until out=$(LAB_SSH_DEADLINE=30 lab_ssh "$node" "$command" 2>&1); do
    qemu_pid "$node" >/dev/null || fail_node "$node" "QEMU exited while waiting for $what"
    ((SECONDS < deadline)) || fail_node "$node" "no $what after ${timeout}s" "$out"
    sleep 1
  done
  say "   $node: $what ready ($(seconds_since "$started")s)"
}

# libvirt answering, vg0, the drbd module and mcvirt's image directory; on failure the unit status.
wait_for_services() { # NODE...
  local node
  for node in "$@"; do
    # shellcheck disable=SC2016 # expanded by the guest's shell
    wait_for "$SERVICE_TIMEOUT" "libvirt, vg0, drbd, images dir" "$node" '
      ok=yes
      virsh -c qemu:///system version >/dev/null 2>&1 ||
        { ok=no; echo "libvirt: not answering"; systemctl --no-pager --lines=5 status libvirtd; }
      vgs vg0 >/dev/null 2>&1 ||
        { ok=no; echo "vg0: missing"; systemctl --no-pager --lines=5 status mcvirt-lab-vg0; }
      test -r /proc/drbd ||
        { ok=no; echo "drbd: no /proc/drbd"; systemctl --no-pager --lines=5 status systemd-modules-load; }
      test -d /var/lib/mcvirt/images || { ok=no; echo "no /var/lib/mcvirt/images"; }
      test $ok = yes'
  done
}

# node1 pings node2 over the wire.
wait_for_wire() {
  local peer
  peer=$(node_wire_ip node2)
  wait_for "$WIRE_TIMEOUT" "wire (ping node1 -> node2 at $peer)" node1 \
    "ping -n -c1 -W2 $peer || { ip -br addr; ip -s link show dev \$(ip -br addr | awk '/10.99.0/ {print \$1}'); exit 1; }"
}

# --- the wire seen from QEMU's monitor and from the guests (lab/wire, lab/power) -------------------
# Reads file descriptor FD up to QEMU's HMP prompt "(qemu) " and prints what came before it.
monitor_read_prompt() { # FD
  local c buf=""
  while IFS= read -r -d '' -N 1 -t 10 c <&"$1"; do
    buf+=$c
    if [[ $buf == *'(qemu) ' ]]; then
      printf '%s' "${buf%'(qemu) '}"
      return 0
    fi
  done
  return 1
}
# Runs one HMP command on NODE's QEMU monitor (lab/.state/NODE/monitor.sock) and prints its output.
# The monitor takes one client at a time: while another one is connected this fails after 10 s.
monitor_command() { # NODE COMMAND
  local sock from to pid status=0 out=""
  local -a client
  sock=$(node_dir "$1")/monitor.sock
  [[ -S $sock ]] || die "$1: no QEMU monitor socket $sock"
  if command -v socat >/dev/null; then
    client=(socat - "UNIX-CONNECT:$sock")
  elif command -v nc.openbsd >/dev/null; then
    client=(nc.openbsd -q 0 -U "$sock")
  else
    die "talking to QEMU's monitor needs socat or nc.openbsd (apt-get install socat)"
  fi
  coproc MONITOR { exec timeout 30 "${client[@]}" 2>&1; }
  from=${MONITOR[0]}
  to=${MONITOR[1]}
  pid=$MONITOR_PID
  if monitor_read_prompt "$from" >/dev/null; then
    printf '%s\n' "$2" >&"$to"
    out=$(monitor_read_prompt "$from") || status=$?
  else
    status=$?
  fi
  exec {to}>&-
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ((status == 0)) || die "$1: no answer from QEMU's monitor $sock"
  # the first line is the monitor echoing the command (redrawn with escape codes)
  sed -e 's/\r//g' -e '1d' <<<"$out"
}
# What NODE's QEMU says about its end of the wire socket: "socket: connection from 127.0.0.1:PORT"
# (node1) or "socket: connect to 127.0.0.1:PORT" (node2) while connected, empty when not.
wire_socket_info() { # NODE
  monitor_command "$1" 'info network' | sed -n 's/^ *\\ wire: index=[0-9]*,type=socket,//p'
}
# Sets the link of NODE's wire (the socket netdev and its e1000) up or down: a real link loss, the
# guest sees the carrier go. The socket itself stays connected.
set_wire_link() { # NODE on|off
  local out
  out=$(monitor_command "$1" "set_link wire $2")
  [[ -z $out ]] || die "$1: set_link wire $2 failed: $out"
}
# The carrier of NODE's wire NIC (found by its MAC) as the guest sees it: up, down or unknown.
wire_link() { # NODE
  local out
  # shellcheck disable=SC2016 # expanded by the guest's shell
  out=$(LAB_SSH_DEADLINE=15 LAB_SSH_CONNECT_TIMEOUT=4 lab_ssh "$1" "MAC=$(node_mac "$1" wire) sh -s" 2>/dev/null <<'GUEST'
for d in /sys/class/net/*; do
  [ "$(cat "$d/address" 2>/dev/null)" = "$MAC" ] || continue
  case $(cat "$d/carrier" 2>/dev/null) in 1) echo up ;; 0) echo down ;; *) echo unknown ;; esac
  exit 0
done
echo unknown
GUEST
  ) || out=unknown
  echo "${out:-unknown}"
}
