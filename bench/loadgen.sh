#!/usr/bin/env bash
# Throughput and tail latency with bench/loadgen (the project's own C generator, which costs less CPU per
# request than the server it loads): memcached and the node alternated in PAIRS pairs per configuration,
# server on CPU $SERVER_CPU, generator on CPU $CLIENT_CPU. Closed loop at depth 1 and 32 (get90, sets,
# multi-gets of 10 keys), at -t 1 and -t 2; then open loop at 50 % and 80 % of memcached's closed-loop
# maximum (get90, depth 1) for p99/p99.9 from each request's intended send time. Prints a Markdown section.
# Usage: bench/loadgen.sh     (PAIRS=2 WARMUP=4 DURATION=8 THREADS="1 2"; see bench/README.md)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PAIRS=${PAIRS:-2}
WARMUP=${WARMUP:-4}
DURATION=${DURATION:-8}
THREADS=${THREADS:-1 2}
LOADGEN=$BENCH_DIR/loadgen/loadgen
raw="$BENCH_DIR/results/raw/$(date +%Y-%m-%d-%H%M%S)-$(hostname -s)-loadgen"
mkdir -p "$raw"
require_tools
require_node_jar
[[ -x $LOADGEN && $LOADGEN -nt $BENCH_DIR/loadgen/loadgen.c ]] || sh "$BENCH_DIR/loadgen/build.sh"

# name|loadgen flags (keys, sizes and prefill are common)
CONFIGS=(
  "get90 d1|-c 50 -d 1 -r 0.9"
  "set d1|-c 50 -d 1 -r 0"
  "mget10 d1|-c 50 -d 1 -r 1 -M 10"
  "get90 d32|-c 16 -d 32 -r 0.9"
  "set d32|-c 16 -d 32 -r 0"
  "mget10 d32|-c 16 -d 32 -r 1 -M 10"
)
COMMON=(-k 100000 -K 16 -V 100 --prefill -w "$WARMUP" -t "$DURATION")

# run_one SUBJECT THREADS TAG LOADGEN-FLAGS... : one server start, one loadgen run; prints its RESULT line
run_one() {
  local subject=$1 threads=$2 tag=$3 port
  shift 3
  port=$(port_of "$subject")
  wait_for_quiet
  start_server "$subject" "$port" "$raw/$tag.$subject.server.log" -t "$threads" -c 1024 -m 1024 || return 1
  taskset -c "$CLIENT_CPU" "$LOADGEN" -s "$HOST" -p "$port" --server-pid "$SERVER_PID" "$@" \
    >"$raw/$tag.$subject.log" 2>&1 || true
  stop_server
  grep '^RESULT ' "$raw/$tag.$subject.log" || echo "RESULT ops_per_s=0"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
# run_pair P THREADS TAG LOADGEN-FLAGS... : both servers, memcached first in odd pairs; RESULT lines into res[]
declare -A res
run_pair() {
  local p=$1 threads=$2 tag=$3 s order=(memcached node)
  shift 3
  ((p % 2 == 0)) && order=(node memcached)
  res=()
  for s in "${order[@]}"; do
    echo "loadgen: $tag $s" >&2
    res[$s]=$(run_one "$s" "$threads" "$tag.p$p" "$@")
  done
}

echo "## bench/loadgen ($(date +%Y-%m-%d\ %H:%M), $PAIRS pairs, ${WARMUP} s warm-up + ${DURATION} s, server CPU $SERVER_CPU, generator CPU $CLIENT_CPU)"
echo
machine_facts
echo "- generator: \`bench/loadgen/loadgen\` ${COMMON[*]}; raw output: \`${raw#"$BENCH_DIR"/}\`"
echo
echo "Ratio = node/memcached of the pairs' mean ops/s; per pair in brackets. p99 in µs (from send time, closed"
echo "loop). CPU µs/request: generator (in the node's run of the last pair) / memcached / node (getrusage, /proc/PID/stat)."
echo
echo "| -t | workload | memcached ops/s | node ops/s | ratio (pairs) | p99 memcached | p99 node | CPU µs/req gen / mc / node |"
echo "|---:|---|---:|---:|---|---:|---:|---|"
declare -A maxops
# BASE_OPS=<memcached's get90 d1 ops/s>: skip the closed-loop table, run only the fixed rates from that maximum
[[ -n ${BASE_OPS:-} ]] && maxops[${THREADS%% *}-get90 d1]=$BASE_OPS
for t in $THREADS; do
  [[ -n ${BASE_OPS:-} ]] && break
  for cfg in "${CONFIGS[@]}"; do
    name=${cfg%%|*}
    read -r -a flags <<<"${cfg#*|}"
    tag="t$t-${name// /-}"
    mc_sum=0 nd_sum=0 pairs="" mc_p99="" nd_p99="" gen="" mc_cpu="" nd_cpu=""
    for ((p = 1; p <= PAIRS; p++)); do
      run_pair "$p" "$t" "$tag" "${flags[@]}" "${COMMON[@]}"
      m=$(field "${res[memcached]}" ops_per_s); n=$(field "${res[node]}" ops_per_s)
      mc_sum=$((mc_sum + ${m:-0})); nd_sum=$((nd_sum + ${n:-0}))
      pairs+="${pairs:+ }$(awk -v a="$n" -v b="$m" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
      mc_p99+="${mc_p99:+/}$(field "${res[memcached]}" p99_us)"; nd_p99+="${nd_p99:+/}$(field "${res[node]}" p99_us)"
      gen=$(field "${res[node]}" gen_cpu_us_per_req)
      mc_cpu=$(field "${res[memcached]}" server_cpu_us_per_req); nd_cpu=$(field "${res[node]}" server_cpu_us_per_req)
    done
    maxops[$t-$name]=$((mc_sum / PAIRS))
    printf '| %s | %s | %d | %d | %s (%s) | %s | %s | %s / %s / %s |\n' "$t" "$name" $((mc_sum / PAIRS)) $((nd_sum / PAIRS)) \
      "$(awk -v a="$nd_sum" -v b="$mc_sum" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" "$pairs" "$mc_p99" "$nd_p99" "$gen" "$mc_cpu" "$nd_cpu"
  done
done

first_t=${THREADS%% *}
base=${maxops[$first_t-get90 d1]}
echo
echo "### Fixed rate (open loop, get90, 50 connections, depth up to 4, -t $first_t; memcached's closed-loop maximum $base ops/s)"
echo
echo "Latency from each request's intended send time (coordinated omission counted); µs, per pair in brackets."
echo
echo "| rate | p99 memcached | p99 node | p99 ratio | p99.9 memcached | p99.9 node | unsent mc / node |"
echo "|---|---|---|---:|---|---|---|"
for pct in 50 80; do
  rate=$((base * pct / 100))
  mc99=() nd99=() mc999=() nd999=() un=""
  for ((p = 1; p <= PAIRS; p++)); do
    run_pair "$p" "$first_t" "rate$pct" -c 50 -d 4 -r 0.9 -R "$rate" "${COMMON[@]}"
    mc99+=("$(field "${res[memcached]}" p99_us)"); nd99+=("$(field "${res[node]}" p99_us)")
    mc999+=("$(field "${res[memcached]}" p999_us)"); nd999+=("$(field "${res[node]}" p999_us)")
    un+="${un:+, }$(field "${res[memcached]}" unsent) / $(field "${res[node]}" unsent)"
  done
  mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.1f", NR ? s / NR : 0}'; }
  printf '| %d %% = %d/s | %s (%s) | %s (%s) | %s | %s (%s) | %s (%s) | %s |\n' "$pct" "$rate" \
    "$(mean "${mc99[@]}")" "${mc99[*]}" "$(mean "${nd99[@]}")" "${nd99[*]}" \
    "$(awk -v a="$(mean "${nd99[@]}")" -v b="$(mean "${mc99[@]}")" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" \
    "$(mean "${mc999[@]}")" "${mc999[*]}" "$(mean "${nd999[@]}")" "${nd999[*]}" "$un"
done
