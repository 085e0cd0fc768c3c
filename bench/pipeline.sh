#!/usr/bin/env bash
# Pipelined multi-get throughput of the node against Debian's memcached, in one run: meta (`mg ... v` x BATCH
# then `mn`) and text (`get k1 ... kBATCH`), CONNS connections each waiting for its whole batch, 100-byte values,
# every key present. Server -t 1 on CPU SERVER_CPU, load generator (bench/lib/PipelineLoad.java) on CPU_CLIENT;
# REPEATS alternating pairs, medians. Results: bench/results/<stamp>-pipeline.md (and a line in RESULTS.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-15}
REPEATS=${REPEATS:-3}
MODES=${MODES:-"meta text"}
CONNS=${CONNS:-16}
BATCH=${BATCH:-32}
KEYS=${KEYS:-100000}
VALUE_BYTES=${VALUE_BYTES:-100}

require_tools
require_node_jar
trap cleanup_started EXIT
stamp=$(date +%Y-%m-%d-%H%M%S)
out="$BENCH_DIR/results/$stamp-pipeline.md"
raw="$BENCH_DIR/results/raw/$stamp-pipeline"
mkdir -p "$raw"
printf 'mode\trep\tsubject\tkeys_per_s\n' >"$raw/runs.tsv"

measure() { # measure SUBJECT MODE REP -> appends a row
  local subject=$1 mode=$2 rep=$3 port line
  port=$(port_of "$subject")
  start_server "$subject" "$port" "$raw/$mode-$rep-$subject.server.log" -t 1 -m 1024 || return 1
  line=$(taskset -c "$CLIENT_CPU" "$JAVA" "$BENCH_DIR/lib/PipelineLoad.java" "$HOST" "$port" "$mode" "$CONNS" \
    "$BATCH" "$DURATION" "$KEYS" "$VALUE_BYTES" "$WARMUP" load)
  stop_server
  echo "  $mode rep $rep $subject: $line" >&2
  printf '%s\t%s\t%s\t%s\n' "$mode" "$rep" "$subject" "$(awk '{print $2}' <<<"$line")" >>"$raw/runs.tsv"
}

for mode in $MODES; do
  for ((rep = 1; rep <= REPEATS; rep++)); do
    if ((rep % 2)); then order="memcached node"; else order="node memcached"; fi
    for subject in $order; do measure "$subject" "$mode" "$rep"; done
  done
done

{
  echo "# Pipelined multi-get, $stamp"
  echo
  echo "$(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Servers -t 1 -m 1024 on CPU $SERVER_CPU,"
  echo "load generator on CPU $CLIENT_CPU; $CONNS connections, batches of $BATCH keys, $KEYS keys of $VALUE_BYTES bytes,"
  echo "${WARMUP}s warm-up + ${DURATION}s measured, $REPEATS alternating pairs, medians."
  echo
  echo "| mode | memcached keys/s | node keys/s | node/memcached |"
  echo "|---|---:|---:|---:|"
  for mode in $MODES; do
    mc=$(awk -F'\t' -v m="$mode" '$1==m && $3=="memcached"{print $4}' "$raw/runs.tsv" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    nd=$(awk -F'\t' -v m="$mode" '$1==m && $3=="node"{print $4}' "$raw/runs.tsv" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    printf '| %s | %s | %s | **%.2f** |\n' "$mode" "$mc" "$nd" "$(awk -v a="$nd" -v b="$mc" 'BEGIN{print a/b}')"
  done
  echo
  echo "Every run (keys/s):"
  echo
  echo '```'
  cat "$raw/runs.tsv"
  echo '```'
} >"$out"
cat "$out"
