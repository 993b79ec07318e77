# shellcheck shell=bash
# Shared by lab/up, lab/down, lab/status and lab/ssh. Source it; it defines no behaviour on its own.
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
lab_ssh_options() { # NODE
  local -a options=(
    -F none -i "$LAB_KEY" -p "$(node_port "$1")"
    -o IdentitiesOnly=yes -o BatchMode=yes
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null
    -o ConnectTimeout="${LAB_SSH_CONNECT_TIMEOUT:-5}" -o ServerAliveInterval=5 -o ServerAliveCountMax=6
    -o LogLevel=ERROR
  )
  printf '%s\n' "${options[@]}"
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

# One round trip that reports a node's readiness as key=value lines (empty value = not ready).
# With a peer address it also pings the peer over the wire.
probe_node() { # NODE [PEER_WIRE_IP]
  local peer=${2:-}
  # shellcheck disable=SC2016 # expanded by the guest's shell
  LAB_SSH_DEADLINE=30 LAB_SSH_CONNECT_TIMEOUT=4 lab_ssh "$1" "PEER='$peer' sh -s" 2>&1 <<'EOF'
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
