#!/usr/bin/env bash
# The cost of hot-key sampling on the get path: the node's CPU per get hit with --hot-keys-sample=16 (the
# default) against --hot-keys-sample=0 (off), in PAIRS pairs that alternate which goes first, each run on a fresh
# node (-t 1) pinned to CPU 1 with bench/loadgen on CPU 0. Two loads: fixed rate (open loop, RATE gets/s, depth 1:
# every request is its own read and write, as most clients send them) and closed loop at depth 32 (pipelined: the
# least CPU per get, so the sampling's share is the largest there). Every get hits (prefilled keys). CPU per
# request comes from /proc/<pid>/stat over the measured interval (loadgen --server-pid). Writes
# bench/results/<date>-<host>-hotkeys.md. Bounded: PAIRS x 2 loads x 2 runs x (WARMUP + DURATION + ~3) s.
#
#   bench/hotkeys.sh                  # needs node/target/memfleet-node.jar and bench/loadgen/loadgen
#   PAIRS=3 DURATION=6 bench/hotkeys.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-5}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
RATE=${RATE:-25000}
PORT=${PORT:-41610}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
NODE_JAVA_OPTS=${NODE_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx128m}
stamp=$(date -u +%Y-%m-%d-%H%M%S)
OUT=bench/results/$stamp-$(hostname -s)-hotkeys.md
[[ -x bench/loadgen/loadgen ]] || bench/loadgen/build.sh
[[ -f node/target/memfleet-node.jar ]] || { echo "missing node/target/memfleet-node.jar" >&2; exit 1; }
user_flag=()
[[ $(id -u) == 0 ]] && user_flag=(-u root)
node_pid=
trap '[[ -n $node_pid ]] && kill $node_pid 2>/dev/null; true' EXIT

# run SAMPLE LOAD-FLAGS... : prints the server's CPU µs per request and the ops/s
run() {
  local sample=$1
  shift
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" "$JAVA" $NODE_JAVA_OPTS -jar node/target/memfleet-node.jar -p "$PORT" -U 0 -t 1 -m 256 \
    --hot-keys-sample="$sample" "${user_flag[@]}" >>/tmp/hotkeys-node.log 2>&1 &
  node_pid=$!
  /usr/bin/python3 bench/lib/mctool.py --port "$PORT" ready --pid "$node_pid" >/dev/null
  local line rc=0
  taskset -c "$CLIENT_CPU" bench/loadgen/loadgen -p "$PORT" -r 1.0 -k 10000 --prefill -w "$WARMUP" -t "$DURATION" \
    --server-pid "$node_pid" "$@" >/tmp/hotkeys-loadgen.out 2>&1 || rc=$?
  kill "$node_pid"
  wait "$node_pid" 2>/dev/null || true
  node_pid=
  line=$(grep '^RESULT' /tmp/hotkeys-loadgen.out || true)
  if [[ -z $line ]]; then
    echo "loadgen exit $rc without a RESULT line:" >&2
    tail -5 /tmp/hotkeys-loadgen.out >&2
    echo "- -"
    return
  fi
  sed -E 's/.*ops_per_s=([0-9.]+).*server_cpu_us_per_req=([0-9.]+).*/\2 \1/' <<<"$line"
}

declare -A cpu
rows=()
for load in "fixed|-R $RATE -c 64" "pipelined|-d 32 -c 16"; do
  name=${load%%|*}
  flags=${load#*|}
  for ((p = 1; p <= PAIRS; p++)); do
    if ((p % 2)); then order="16 0"; else order="0 16"; fi
    declare -A got=()
    for s in $order; do
      # shellcheck disable=SC2086
      read -r us ops < <(run "$s" $flags)
      got[$s]="$us $ops"
      echo "$name pair $p sample=$s: $us us/req at $ops ops/s" >&2
    done
    read -r on on_ops <<<"${got[16]}"
    read -r off off_ops <<<"${got[0]}"
    ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a / b}')
    rows+=("| $name | $p | $off | $on | $ratio | $off_ops | $on_ops |")
    cpu[$name]+="$ratio "
  done
done

{
  echo "# Hot-key sampling cost on the get path — $stamp"
  echo
  echo "- host: \`$(hostname -s)\`, \`nproc\` = $(nproc); node \`-t 1\` on CPU $SERVER_CPU, bench/loadgen on CPU $CLIENT_CPU; repo $(git rev-parse --short HEAD)"
  echo "- every get hits (10,000 prefilled keys, 100-byte values); $PAIRS pairs per load, order alternating; ${WARMUP} s warm-up + ${DURATION} s measured per run"
  echo "- loads: **fixed** = $RATE gets/s open loop, 64 connections, depth 1; **pipelined** = closed loop, 16 connections × depth 32"
  echo "- CPU per request: the node's utime + stime over the measured interval / requests (loadgen \`--server-pid\`)"
  echo
  echo "| load | pair | sample 0 (off) µs/get | sample 16 µs/get | on/off | ops/s off | ops/s on |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  for name in fixed pipelined; do
    # shellcheck disable=SC2086
    echo "- **$name**: median on/off $(tr ' ' '\n' <<<"${cpu[$name]}" | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') (pairs: ${cpu[$name]% })"
  done
} >"$OUT"
cat "$OUT"
echo "wrote $OUT" >&2
