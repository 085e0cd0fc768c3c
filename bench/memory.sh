#!/usr/bin/env bash
# Memory efficiency: how many 10-byte-key / 100-byte-value items memcached and the node keep in
# -m 64, and what each process's RSS is then. Prints a Markdown section; progress goes to stderr.
# Usage: bench/memory.sh [--raw-dir DIR]     (settings: bench/README.md)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

MEMORY_MB=${MEMORY_MB:-64}
MEMORY_THREADS=${MEMORY_THREADS:-1}
MEMORY_VALUE_SIZE=${MEMORY_VALUE_SIZE:-100}
MEMORY_EXTRA=${MEMORY_EXTRA:-0.25}   # keep writing this fraction more keys after the first eviction

raw=""
if [[ ${1:-} == --raw-dir ]]; then raw=$2; fi
if [[ -z $raw ]]; then
  raw="$BENCH_DIR/results/raw/$(date +%Y-%m-%d-%H%M%S)-$(hostname -s)-memory"
fi
mkdir -p "$raw"

require_tools
require_node_jar

declare -A items_first items_end rss_idle rss_end hwm_end maxbytes bytes status
for subject in memcached node; do
  port=$(port_of "$subject")
  status[$subject]=ok
  echo "memory: $subject -m $MEMORY_MB, filling k%09d keys with ${MEMORY_VALUE_SIZE}-byte values until it evicts" >&2
  wait_for_quiet
  if ! start_server "$subject" "$port" "$raw/memory-$subject.server.log" \
      -t "$MEMORY_THREADS" -c 1024 -m "$MEMORY_MB"; then
    status[$subject]="server did not start"
    continue
  fi
  rss_idle[$subject]=$(rss_kib "$SERVER_PID")
  fill_rc=0
  taskset -c "$CLIENT_CPU" "${MCTOOL[@]}" --host "$HOST" --port "$port" fill \
    --value-size "$MEMORY_VALUE_SIZE" --extra "$MEMORY_EXTRA" --timeout 300 \
    >"$raw/memory-$subject.fill.txt" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_bounded "$!" 330 || fill_rc=$?
  rss_end[$subject]=$(rss_kib "$SERVER_PID")
  hwm_end[$subject]=$(rss_kib "$SERVER_PID" VmHWM)
  stop_server
  val() { awk -v k="$1" '$1 == k {print $2}' "$raw/memory-$subject.fill.txt"; }
  items_first[$subject]=$(val curr_items_at_first_eviction)
  items_end[$subject]=$(val curr_items_end)
  maxbytes[$subject]=$(val limit_maxbytes)
  bytes[$subject]=$(val bytes_end)
  case $fill_rc in
    0) ;;
    3) status[$subject]="never evicted after $(val keys_written) keys (is -m honoured?)" ;;
    *) status[$subject]="fill failed: $(tail -n 1 "$raw/memory-$subject.fill.txt")" ;;
  esac
  echo "  $subject: curr_items ${items_end[$subject]:-?} (${items_first[$subject]:-?} at first eviction), RSS ${rss_end[$subject]} KiB; ${status[$subject]}" >&2
done

mib() { [[ $1 =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "—"; }
per_item() { # bytes of -m per item kept
  [[ ${1:-} =~ ^[0-9]+$ && $1 -gt 0 ]] && awk -v n="$1" -v m="$MEMORY_MB" 'BEGIN { printf "%.0f", m * 1048576 / n }' || echo "—"
}
ratio() { [[ ${1:-} =~ ^[0-9]+$ && ${2:-} =~ ^[0-9]+$ && $2 -gt 0 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "—"; }

echo "## Memory efficiency"
echo
echo "Each server alone with \`-m $MEMORY_MB -t $MEMORY_THREADS\`, filled with keys \`k%09d\` (10 bytes) and" \
  "${MEMORY_VALUE_SIZE}-byte values in pipelined batches of 1000 sets until \`evictions\` > 0, then" \
  "$(awk -v e="$MEMORY_EXTRA" 'BEGIN { printf "%g", e * 100 }')% more keys so the LRU is cycling." \
  "\`curr_items\` is read from \`stats\`; RSS from /proc after the fill." \
  "Node JVM options: \`${NODE_JAVA_OPTS:-none}\`."
echo
echo "| server | curr_items | at first eviction | -m bytes per item | stats \`bytes\` | limit_maxbytes | RSS MiB | peak RSS MiB | RSS before fill MiB | status |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for subject in memcached node; do
  echo "| $subject | ${items_end[$subject]:-—} | ${items_first[$subject]:-—} | $(per_item "${items_end[$subject]:-}") |" \
    "${bytes[$subject]:-—} | ${maxbytes[$subject]:-—} | $(mib "${rss_end[$subject]:-}") | $(mib "${hwm_end[$subject]:-}") |" \
    "$(mib "${rss_idle[$subject]:-}") | ${status[$subject]} |"
done
echo
echo "**node/memcached: curr_items $(ratio "${items_end[node]:-}" "${items_end[memcached]:-}")," \
  "RSS $(ratio "${rss_end[node]:-}" "${rss_end[memcached]:-}")** (more items is better; less RSS is better)."
for subject in memcached node; do
  [[ ${status[$subject]} == ok ]] || exit 1
done
