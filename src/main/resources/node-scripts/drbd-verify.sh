# shellcheck shell=sh
# mcvirt's DRBD online verify and its record on this node (DRBD 8.4: the state is read from /proc/drbd). One program
# for both: `mcvirt verify` runs it in two calls per resource (start, then finish once the kernel is done), and the
# scheduled verify's systemd service runs it as `scheduled` (every mcvirt resource that is Primary here: the vm's node).
#   start STATE RES MINOR           the verify started (prints "started"), or one already running found ("running");
#                                   when it cannot start, the failed result is recorded ("recorded", then the record)
#   finish STATE RES MINOR NODE WAIT   waits up to WAIT seconds for it to end, records the result, prints the record
#   scheduled STATE CONFDIR NODE CLUSTER WAIT   start and finish of each resource of CLUSTER that is Primary here, one
#                                   at a time, each result also logged to the journal (tag mcvirt-drbd); nothing while
#                                   the cluster lock is held here (an apply or a migration is running)
# The record, STATE/verify/RES.json (mode 0600), is the JSON state.VerifyRecord reads; it is printed after "recorded ".
# A failed verify never replaces an out-of-sync record (only a clean verify lifts the vm's mark): its result is then
# printed after "kept " and not written. STATE/verify/RES.run keeps a started verify's start
# time and the kernel's count of finished verifies, so that finish tells a verify that ran to its end from one a lost
# connection aborted.
mode=$1
PROC_DRBD=${MCVIRT_PROC_DRBD:-/proc/drbd} # a test gives its own copy
# the connection state, role and out-of-sync KiB of a minor, from /proc/drbd: "cs ro oos" (empty when not there)
proc_state() {
  awk -v m="$1:" '
    $1 == m { found = 1; for (i = 2; i <= NF; i++) { split($i, kv, ":"); if (kv[1] == "cs") cs = kv[2]; if (kv[1] == "ro") ro = kv[2] }; next }
    found && /oos:/ { for (i = 1; i <= NF; i++) { split($i, kv, ":"); if (kv[1] == "oos") oos = kv[2] }; print cs, ro, oos; exit }
    found && /^ *[0-9]+:/ { exit }' "$PROC_DRBD" 2>/dev/null
}
progress_of() {
  awk -v m="$1:" '$1 == m { found = 1; next } found && /verified:/ { print $3; exit } found && /^ *[0-9]+:/ { exit }' \
    "$PROC_DRBD" 2>/dev/null
}
verifies_done() {
  log=$(dmesg 2>/dev/null) || { echo -1; return; }
  printf '%s\n' "$log" | grep -c -- "drbd$1: Online verify done"
}
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# JSON string content: backslashes and quotes escaped, control characters dropped
json_text() { printf '%s' "$1" | tr -d '\000-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
# record STATE RES STARTED RESULT OOS NODE DETAIL: written atomically, then printed
record() {
  dir=$1/verify; file=$dir/$2.json
  mkdir -p -- "$dir" && chmod 0700 -- "$dir" || return 1
  line="{\"resource\":\"$2\",\"startedAt\":\"$3\",\"finishedAt\":\"$(now)\",\"result\":\"$4\""
  [ -n "$5" ] && line="$line,\"outOfSyncKiB\":$5"
  line="$line,\"node\":\"$6\""
  [ -n "$7" ] && line="$line,\"detail\":\"$(json_text "$7")\""
  line="$line}"
  # a verify that did not finish says nothing new: the out-of-sync record stays (printed: this failed result, kept)
  if [ "$4" = failed ] && grep -q '"result":"out-of-sync"' "$file" 2>/dev/null; then
    printf 'kept %s\n' "$line"
    return 0
  fi
  tmp=$(mktemp -- "$file.tmp.XXXXXX") || return 1
  if ! { printf '%s\n' "$line" >"$tmp" && chmod 0600 -- "$tmp" && mv -f -- "$tmp" "$file"; }; then
    rm -f -- "$tmp"
    return 1
  fi
  printf 'recorded %s\n' "$line"
}
# start STATE RES MINOR NODE
start() {
  # shellcheck disable=SC2046 # three words
  set -- "$1" "$2" "$3" "$4" $(proc_state "$3")
  run=$1/verify/$2.run
  mkdir -p -- "$1/verify" && chmod 0700 -- "$1/verify" || return 1
  case $5 in
    Verify*)
      [ -f "$run" ] || printf '%s %s\n' "$(now)" "$(verifies_done "$3")" >"$run"
      echo running ;;
    Connected)
      printf '%s %s\n' "$(now)" "$(verifies_done "$3")" >"$run"
      if out=$(drbdadm verify "$2" </dev/null 2>&1); then
        echo started
      else
        rm -f -- "$run"
        record "$1" "$2" "$(now)" failed "" "$4" "drbdadm verify $2 failed: $out"
      fi ;;
    '')
      record "$1" "$2" "$(now)" failed "" "$4" "cannot verify $2: DRBD minor $3 is not up on $4" ;;
    *)
      record "$1" "$2" "$(now)" failed "" "$4" "cannot verify $2: it is $5 on $4; an online verify needs both nodes connected and no resync running" ;;
  esac
}
# finish STATE RES MINOR NODE WAIT
finish() {
  run=$1/verify/$2.run
  started=$(now); before=-1
  [ -f "$run" ] && read -r started before <"$run"
  waited=0
  while :; do
    # shellcheck disable=SC2046 # three words
    set -- "$1" "$2" "$3" "$4" "$5" $(proc_state "$3")
    case $6 in Verify*) ;; *) break ;; esac
    if [ "$waited" -ge "$5" ]; then
      record "$1" "$2" "$started" failed "" "$4" "the online verify of $2 did not end in the time allowed ($(progress_of "$3") verified); it goes on in the kernel, and a later verify waits for it"
      return
    fi
    sleep 2; waited=$((waited + 2))
  done
  rm -f -- "$run"
  after=$(verifies_done "$3")
  if [ "$6" != Connected ]; then
    record "$1" "$2" "$started" failed "${8:-}" "$4" "the verify ended with the resource ${6:-down} (connection lost?)"
  elif [ "$before" -ge 0 ] && [ "$after" -ge 0 ] && [ "$after" -le "$before" ]; then
    record "$1" "$2" "$started" failed "$8" "$4" "the verify was aborted before its end (the kernel logged no 'Online verify done'; a lost connection?)"
  elif [ "$8" = 0 ]; then
    record "$1" "$2" "$started" clean 0 "$4" ""
  else
    record "$1" "$2" "$started" out-of-sync "$8" "$4" ""
  fi
}
# scheduled STATE CONFDIR NODE CLUSTER WAIT
scheduled() {
  if [ -s "$1/lock.json" ]; then
    logger -t mcvirt-drbd -p daemon.warning "cluster $4: scheduled verify skipped on $3: the cluster lock is held ($(tr -d '\n' <"$1/lock.json" | cut -c1-200))"
    return 0
  fi
  for f in "$2"/*.res; do
    [ -f "$f" ] || continue
    grep -q "^# Managed by mcvirt (cluster $4," "$f" || continue
    res=$(sed -n 's/^# mcvirt-resource: //p' "$f" | head -n 1)
    [ -n "$res" ] || continue
    minor=$(drbdadm sh-minor "$res" </dev/null 2>/dev/null) || continue
    # shellcheck disable=SC2046 # three words
    set -- "$1" "$2" "$3" "$4" "$5" $(proc_state "$minor")
    case $7 in Primary/*) ;; *) continue ;; esac
    out=$(start "$1" "$res" "$minor" "$3")
    case $out in
      started | running) out=$(finish "$1" "$res" "$minor" "$3" "$5") ;;
    esac
    case $out in
      'recorded '*'"result":"clean"'*) logger -t mcvirt-drbd -p daemon.info "$res (cluster $4): scheduled verify on $3: clean" ;;
      'recorded '*'"result":"out-of-sync"'*) logger -t mcvirt-drbd -p daemon.err "$res (cluster $4): scheduled verify on $3: out of sync (the vm is marked; see mcvirt resync)" ;;
      'kept '*) logger -t mcvirt-drbd -p daemon.err "$res (cluster $4): scheduled verify on $3 did not finish; the earlier out-of-sync result stands" ;;
      *) logger -t mcvirt-drbd -p daemon.err "$res (cluster $4): scheduled verify on $3 failed: $out" ;;
    esac
  done
  return 0
}
case $mode in
  start) start "$2" "$3" "$4" "$5" ;;
  finish) finish "$2" "$3" "$4" "$5" "$6" ;;
  scheduled) scheduled "$2" "$3" "$4" "$5" "$6" ;;
  *) echo "usage: drbd-verify.sh start|finish|scheduled ..." >&2; exit 2 ;;
esac
