#!/usr/bin/env bash
# Warm start: ops/s second by second from the first request, for memcached, the node with its AOT cache
# (bin/memfleet-node's default) and the node without. Each server is started fresh and loaded at once by
# memcaslap (64 connections, get90, 100-byte values) for WAVE1 seconds, then by a second memcaslap on new
# connections for WAVE2 seconds (the "first wave of new connections" after warm-up). Prints a Markdown section.
# Usage: bench/warmstart.sh            (server on CPU $SERVER_CPU, load on CPU $CLIENT_CPU; bench/README.md)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

WAVE1=${WAVE1:-10}
WAVE2=${WAVE2:-5}
raw="$BENCH_DIR/results/raw/$(date +%Y-%m-%d-%H%M%S)-$(hostname -s)-warmstart"
mkdir -p "$raw"
require_tools
require_node_jar

# memcaslap's per-second "Total Statistics / Period" TPS values, one per line
series() { awk '/^Total Statistics/{t=1} t && /^Period/{print $4; t=0}' "$1"; }

aot_cmd=$NODE_CMD
plain_cmd="$JAVA${NODE_JAVA_OPTS:+ $NODE_JAVA_OPTS} -jar $NODE_JAR"
declare -A col
for subject in memcached node-aot node-no-aot; do
  case $subject in
    memcached) kind=memcached ;;
    node-aot) kind=node; NODE_CMD=$aot_cmd ;;
    node-no-aot) kind=node; NODE_CMD=$plain_cmd ;;
  esac
  port=$(port_of "$kind")
  wait_for_quiet
  echo "warmstart: $subject" >&2
  start_server "$kind" "$port" "$raw/$subject.server.log" -t 1 -c 1024 -m 1024
  taskset -c "$CLIENT_CPU" memcaslap -s "$HOST:$port" -t "${WAVE1}s" -c 64 -T 1 -S 1s >"$raw/$subject.wave1.log" 2>&1 || true
  taskset -c "$CLIENT_CPU" memcaslap -s "$HOST:$port" -t "${WAVE2}s" -c 64 -T 1 -S 1s >"$raw/$subject.wave2.log" 2>&1 || true
  stop_server
  col[$subject]=$( (series "$raw/$subject.wave1.log" | head -n "$WAVE1"; series "$raw/$subject.wave2.log" | head -n "$WAVE2") | paste -sd' ')
done

echo "## Warm start ($(date +%Y-%m-%d\ %H:%M), -t 1, memcaslap 64 connections get90 from the first request)"
echo
echo "Ops/s per second from the server's start; seconds $((WAVE1 + 1))–$((WAVE1 + WAVE2)) are a second memcaslap on new connections. Node: \`$aot_cmd\` (with AOT cache) and \`$plain_cmd\`. Raw: \`${raw#"$BENCH_DIR"/}\`."
echo
printf '| second | memcached | node, AOT cache | node, no AOT cache |\n|---:|---:|---:|---:|\n'
read -r -a m <<<"${col[memcached]}"
read -r -a a <<<"${col[node-aot]}"
read -r -a p <<<"${col[node-no-aot]}"
for ((i = 0; i < WAVE1 + WAVE2; i++)); do
  printf '| %d | %s | %s | %s |\n' $((i + 1)) "${m[i]:--}" "${a[i]:--}" "${p[i]:--}"
done
# the first second at >= 90 % of the subject's median over wave 1's last half
for s in memcached node-aot node-no-aot; do
  read -r -a v <<<"${col[$s]}"
  printf '%s\n' "${v[@]:$((WAVE1 / 2)):$((WAVE1 - WAVE1 / 2))}" | sort -n | awk -v name="$s" -v all="${col[$s]}" '
    {x[NR]=$1} END {med=x[int((NR+1)/2)]; n=split(all, s, " ");
      for (i=1; i<=n; i++) if (s[i] >= 0.9*med) {printf "- %s: steady %d ops/s; first second at >= 90 %% of it: second %d\n", name, med, i; exit}}'
done
