#!/usr/bin/env bash
# What replication costs: set-only load on one node (A) with 0, 1 and 2 peers, as a throughput ratio
# against A without replication; replication lag under that load (A's `peer0:lag_ms` sampled every
# 100 ms, and probe keys written on A and timed until a client sees them on B); and the time a new
# node takes to fetch a full copy of ~1 GB of items. Loopback only; every wait is bounded.
# Method and settings: bench/README.md ("Replication"). Builds nothing: expects node/target/memfleet-node.jar.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION=${DURATION:-15}          # measured seconds per run
WARMUP=${WARMUP:-10}              # unmeasured seconds of the same load first
REPEATS=${REPEATS:-3}             # runs per peer count; the table shows medians
PEER_COUNTS=${PEER_COUNTS:-"0 1 2"}
THREADS=${THREADS:-2}             # server -t
CONNS=${CONNS:-64}
SERVER_MEM_MB=${SERVER_MEM_MB:-1024}
PEER_CPU=${PEER_CPU:-$SERVER_CPU} # where the peers run during the load runs (see README)
REPL_PORT_BASE=${REPL_PORT_BASE:-21312}  # A's -X; peer k uses +k; client ports NODE_PORT+k
EXTRA_SERVER_FLAGS=${EXTRA_SERVER_FLAGS:-}
RUN_FULLCOPY=${RUN_FULLCOPY:-1}
FULLCOPY_MB=${FULLCOPY_MB:-1024}   # megabytes of values written to A before B joins
FULLCOPY_VALUE=${FULLCOPY_VALUE:-1000}
FULLCOPY_CONTENT=${FULLCOPY_CONTENT:-same}  # same (one byte repeated), text (differs per item, compresses ~2x) or random
FULLCOPY_SERVER_MB=${FULLCOPY_SERVER_MB:-1200}
FULLCOPY_TIMEOUT=${FULLCOPY_TIMEOUT:-600}
RATE=${RATE:-15000}                # sets/s of the fixed-rate runs (0 = skip them); a group of three on one core must keep up
RATE_REPEATS=${RATE_REPEATS:-$REPEATS}
RATE_WARMUP=${RATE_WARMUP:-$((WARMUP + 5))}  # a fresh node's first seconds stall (JIT, first connections): an open loop needs them behind it
LABEL=${LABEL:-replication}
UPDATE_RESULTS=${UPDATE_RESULTS:-$((1 - NODE_CMD_OVERRIDDEN))}

require_tools
require_node_jar
((DURATION >= 3)) || { echo "DURATION must be at least 3 seconds" >&2; exit 2; }

stamp=$(date +%Y-%m-%d-%H%M%S)
name="$stamp-$(hostname -s)${LABEL:+-$LABEL}"
out="$BENCH_DIR/results/$name.md"
raw="$BENCH_DIR/results/raw/$name"
mkdir -p "$raw"
runs="$raw/runs.tsv"
printf 'peers\trep\tops_s\tavg_us\tp50_us\tp99_us\tsec_cv_pct\tlag_ms_p50\tlag_ms_p99\tlag_ms_max\tprobe_p50_ms\tprobe_p99_ms\tprobe_max_ms\tprobes\tprobe_missed\tpeer_cpu_pct\ta_us_per_set\tgroup_us_per_set\tstatus\n' >"$runs"

rates="$raw/rates.tsv"
printf 'peers\trep\trate\tops_s\tp99_us\ta_us_per_set\tgroup_us_per_set\tstatus\n' >"$rates"
LOADGEN=$BENCH_DIR/loadgen/loadgen
if ((RATE > 0)); then
  [[ -x $LOADGEN && $LOADGEN -nt $BENCH_DIR/loadgen/loadgen.c ]] || sh "$BENCH_DIR/loadgen/build.sh"
fi

read -r -a peer_counts <<<"$PEER_COUNTS"
total=$((${#peer_counts[@]} * REPEATS))
est=$(((total * (WARMUP + DURATION + 10) + (RATE > 0 ? ${#peer_counts[@]} * RATE_REPEATS * (RATE_WARMUP + DURATION + 10) : 0) + (RUN_FULLCOPY ? 120 : 0)) / 60 + 1))
echo "memfleet replication bench: $total load runs of ${DURATION}s (+${WARMUP}s warm-up), full copy of ${FULLCOPY_MB} MB: about $est min" >&2
echo "  A on CPU $SERVER_CPU, peers on CPU $PEER_CPU, memcaslap on CPU $CLIENT_CPU; raw output in $raw" >&2

stat_of_group() { # stat_of_group PORT GROUP NAME -> value ("" for plain `stats`), or empty
  { "${MCTOOL[@]}" --host "$HOST" --port "$1" stats --group "$2" "$3" 2>/dev/null | awk '$2 != "-" {print $2}'; } || true
}

client_port() { echo $((NODE_PORT + $1)); }
repl_port() { echo $((REPL_PORT_BASE + $1)); }

# node_flags I N: the replication flags of node I in a group of N nodes (node 0 is A); none for N=1.
node_flags() {
  local i=$1 n=$2 j peers=()
  ((n > 1)) || return 0
  for ((j = 0; j < n; j++)); do
    ((j == i)) || peers+=("$HOST:$(repl_port "$j")")
  done
  local IFS=,
  echo "-X $(repl_port "$i") -x ${peers[*]} --node-id=$((i + 1))"
}

GROUP_PIDS=()
# group_up N TAG: starts A and N-1 peers (fresh, empty), waits until every node answers and, with
# peers, until A reports in_sync. Returns 1 when something does not come up.
group_up() {
  local n=$1 tag=$2 i cpu
  GROUP_PIDS=()
  for ((i = 0; i < n; i++)); do
    cpu=$SERVER_CPU
    ((i == 0)) || cpu=$PEER_CPU
    # shellcheck disable=SC2046
    if ! SERVER_CPU=$cpu start_server node "$(client_port "$i")" "$raw/$tag.node$i.log" \
        -t "$THREADS" -c 1024 -m "$SERVER_MEM_MB" $(node_flags "$i" "$n") $EXTRA_SERVER_FLAGS; then
      group_down
      return 1
    fi
    GROUP_PIDS+=("$SERVER_PID")
    SERVER_PID=
  done
  if ((n > 1)) && ! "${MCTOOL[@]}" --host "$HOST" --port "$(client_port 0)" await --timeout 60 state in_sync \
      2>>"$raw/$tag.node0.log"; then
    echo "  A did not reach in_sync with $((n - 1)) peer(s)" >&2
    group_down
    return 1
  fi
}

group_down() {
  local pid
  for pid in "${GROUP_PIDS[@]}"; do stop_pid "$pid"; done
  GROUP_PIDS=()
}

client_cmd() {
  CLIENT=(taskset -c "$CLIENT_CPU" memcaslap -s "$HOST:$(client_port 0)" -F "$BENCH_DIR/workloads/set100.cfg"
    -T 1 -c "$CONNS" -o 0.9)
}

# cpu_mark: "sets a_ticks peers_ticks" now — A's cmd_set, A's /proc ticks, the sum of its peers' ticks.
cpu_mark() {
  local i t=0 sets
  for ((i = 1; i < ${#GROUP_PIDS[@]}; i++)); do t=$((t + $(proc_ticks "${GROUP_PIDS[i]}"))); done
  sets=$(stat_of_group "$(client_port 0)" "" cmd_set)
  echo "${sets:--} $(proc_ticks "${GROUP_PIDS[0]}") $t"
}

# us_per_set MARK0 MARK1: "a_us group_us" — A's own CPU per set, and the whole group's, over the client
# sets A counted between the two marks; "— —" when A's cmd_set could not be read.
us_per_set() {
  local s0 a0 p0 s1 a1 p1
  read -r s0 a0 p0 <<<"$1"
  read -r s1 a1 p1 <<<"$2"
  if [[ $s0 == - || $s1 == - ]] || ((s1 <= s0)); then
    echo "— —"
    return
  fi
  awk -v a=$((a1 - a0)) -v g=$((a1 - a0 + p1 - p0)) -v n=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f %.2f\n", 1e6 * a / hz / n, 1e6 * g / hz / n }'
}

n=0
load_run() { # load_run PEERS REP
  local peers=$1 rep=$2 size=$(($1 + 1)) tag="p$1-r$2" status=ok
  local ops_s="" avg="" p50="" p99="" cv="" lag50="—" lag99="—" lagmax="—" pr50="—" pr99="—" prmax="—" probes="—" missed="—" pcpu="—" aus="—" gus="—"
  n=$((n + 1))
  if ! group_up "$size" "$tag"; then
    status="fail: group did not start"
  else
    client_cmd
    "${CLIENT[@]}" -t "${WARMUP}s" >"$raw/$tag.warmup.txt" 2>&1 &
    STARTED_PIDS+=("$!")
    wait_bounded "$!" $((WARMUP + 30)) || echo "  warm-up client exited with $?" >&2
    local mark0 mark1 pid
    mark0=$(cpu_mark)
    "${CLIENT[@]}" -t "${DURATION}s" -S 1s >"$raw/$tag.txt" 2>&1 &
    local cli=$!
    STARTED_PIDS+=("$cli")
    local samplers=()
    if ((peers > 0)); then
      local names=(peer0:lag_ms)
      ((peers > 1)) && names+=(peer1:lag_ms)
      taskset -c "$CLIENT_CPU" "${MCTOOL[@]}" --host "$HOST" --port "$(client_port 0)" sample \
        --duration $((DURATION - 1)) "${names[@]}" >"$raw/$tag.lag.txt" 2>&1 &
      samplers+=("$!")
      STARTED_PIDS+=("$!")
      taskset -c "$CLIENT_CPU" "${MCTOOL[@]}" --host "$HOST" --port "$(client_port 0)" lagprobe \
        --peer-port "$(client_port 1)" --duration $((DURATION - 2)) >"$raw/$tag.probe.txt" 2>&1 &
      samplers+=("$!")
      STARTED_PIDS+=("$!")
    fi
    sleep $((DURATION - 1))
    mark1=$(cpu_mark)
    read -r aus gus < <(us_per_set "$mark0" "$mark1")
    wait_bounded "$cli" 40 || status="fail: client exit $?"
    for pid in "${samplers[@]}"; do wait_bounded "$pid" 30 || status="fail: lag sampler exit $?"; done
    if ((peers > 0)); then
      local p0 p1
      read -r _ _ p0 <<<"$mark0"
      read -r _ _ p1 <<<"$mark1"
      pcpu=$(awk -v t=$((p1 - p0)) -v hz="$(getconf CLK_TCK)" -v d=$((DURATION - 1)) 'BEGIN { printf "%.0f", 100 * t / hz / d }')
      # the worst peer's lag at each percentile: A's lag_ms per peer, sampled every 100 ms
      read -r lag50 lag99 lagmax < <(awk 'BEGIN { a = b = c = -1 } $1 ~ /lag_ms/ && $2 != "-" {
          if ($2 + 0 > a) a = $2 + 0; if ($3 + 0 > b) b = $3 + 0; if ($4 + 0 > c) c = $4 + 0; seen = 1 }
          END { if (seen) print a, b, c; else print "—", "—", "—" }' "$raw/$tag.lag.txt")
      read -r _ pr50 pr99 prmax probes missed < <(grep '^lag_ms' "$raw/$tag.probe.txt" || echo "lag_ms — — — — —")
    fi
    for pid in "${GROUP_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || status="fail: a node died"; done
    local k v
    while read -r k v; do
      case $k in
        ops_s) ops_s=$v ;; avg_us) avg=$v ;; p50_us) p50=$v ;; p99_us) p99=$v ;; sec_cv_pct) cv=$v ;;
      esac
    done < <("$PY" "$BENCH_DIR/lib/report.py" parse "$raw/$tag.txt")
    [[ -n $ops_s ]] || { [[ $status == ok ]] && status="fail: no memaslap result"; }
    group_down
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$peers" "$rep" "$ops_s" "$avg" "$p50" "$p99" \
    "$cv" "$lag50" "$lag99" "$lagmax" "$pr50" "$pr99" "$prmax" "$probes" "$missed" "$pcpu" "$aus" "$gus" "$status" >>"$runs"
  printf '[%d/%d] %d peer(s) rep %d: %8s ops/s  p99 %5s us  lag_ms p50/p99 %s/%s  probe p50/p99 %s/%s ms  peers CPU %s%%  A %s us/set  group %s us/set  %s\n' \
    "$n" "$total" "$peers" "$rep" "${ops_s:-—}" "${p99:-—}" "$lag50" "$lag99" "$pr50" "$pr99" "$pcpu" "$aus" "$gus" "$status" >&2
}

# Fixed rate: the same RATE sets/s (open loop, bench/loadgen) whatever the peer count, so A's CPU per
# set is compared at equal load: closed-loop runs give A less of its core when peers share it, and a
# node that batches fewer requests per wake-up pays more per request, which is not replication's cost.
rate_run() { # rate_run PEERS REP
  local peers=$1 rep=$2 size=$(($1 + 1)) tag="rate-p$1-r$2" status=ok ops_s="" p99="" aus="—" gus="—"
  if ! group_up "$size" "$tag"; then
    status="fail: group did not start"
  else
    local mark0 mark1
    taskset -c "$CLIENT_CPU" "$LOADGEN" -s "$HOST" -p "$(client_port 0)" -c "$CONNS" -r 0 -R "$RATE" -k 100000 -K 16 -V 100 \
      -w "$RATE_WARMUP" -t "$DURATION" >"$raw/$tag.txt" 2>&1 &
    local cli=$!
    STARTED_PIDS+=("$cli")
    sleep $((RATE_WARMUP + 1))
    mark0=$(cpu_mark)
    sleep $((DURATION - 2))
    mark1=$(cpu_mark)
    read -r aus gus < <(us_per_set "$mark0" "$mark1")
    local rc=0
    wait_bounded "$cli" $((DURATION + 30)) || rc=$?
    # exit 3 with no errors: a few requests of the schedule were never sent; more than 0.1 % fails the run
    local unsent
    unsent=$(sed -n 's/^RESULT .* errors=0 unsent=\([0-9]*\).*/\1/p' "$raw/$tag.txt")
    if ((rc == 3)) && [[ -n $unsent ]] && ((unsent * 1000 <= RATE * DURATION)); then rc=0; fi
    ((rc == 0)) || status="fail: loadgen exit $rc"
    for pid in "${GROUP_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || status="fail: a node died"; done
    ops_s=$(sed -n 's/^RESULT ops_per_s=\([0-9.]*\).*/\1/p' "$raw/$tag.txt")
    p99=$(sed -n 's/^RESULT .* p99_us=\([0-9.]*\).*/\1/p' "$raw/$tag.txt")
    [[ -n $ops_s ]] || { [[ $status == ok ]] && status="fail: no loadgen result"; }
    # a group that fell behind the schedule sends its backlog faster than RATE afterwards (batching more
    # per wake-up): its CPU per set is not at the rate, so the summary leaves it out
    if [[ $status == ok && -n $ops_s ]] && awk -v o="$ops_s" -v r="$RATE" 'BEGIN { exit !(o > r * 1.02) }'; then
      status="behind schedule"
    fi
    group_down
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$peers" "$rep" "$RATE" "${ops_s:-—}" "${p99:-—}" "$aus" "$gus" "$status" >>"$rates"
  printf '[rate %d/s] %d peer(s) rep %d: %s ops/s  p99 %s us  A %s us/set  group %s us/set  %s\n' \
    "$RATE" "$peers" "$rep" "${ops_s:-—}" "${p99:-—}" "$aus" "$gus" "$status" >&2
}

# each_run FN COUNT: FN PEERS REP for every peer count, COUNT times, alternating the order of the peer
# counts so that a drift of the machine favours none
each_run() {
  local fn=$1 count=$2 rep i peers order
  for ((rep = 1; rep <= count; rep++)); do
    order=("${peer_counts[@]}")
    if ((rep % 2 == 0)); then
      order=()
      for ((i = ${#peer_counts[@]} - 1; i >= 0; i--)); do order+=("${peer_counts[i]}"); done
    fi
    for peers in "${order[@]}"; do
      wait_for_quiet
      "$fn" "$peers" "$rep"
    done
  done
}

started=$SECONDS
if ((RATE > 0)); then each_run rate_run "$RATE_REPEATS"; fi
each_run load_run "$REPEATS"

# Full copy: A filled with FULLCOPY_MB of values, then B started empty with A in its -x. B opens
# its client port once its copy is complete; then both report in_sync. A on SERVER_CPU, B on
# CLIENT_CPU (each has a core of its own, as on two machines).
fc_status="not run"
fc_keys="" fc_fill_s="" fc_bytes="" fc_items="" fc_ready_s="" fc_sync_s="" fc_digest="" fc_rss_a="" fc_rss_b="" fc_mb_s=""
fc_frame="" fc_wire=""
if [[ $RUN_FULLCOPY == 1 ]]; then
  fc_status=ok
  echo "full copy: filling A with $FULLCOPY_MB MB of ${FULLCOPY_VALUE}-byte values" >&2
  wait_for_quiet
  if ! start_server node "$(client_port 0)" "$raw/fullcopy.nodeA.log" -t "$THREADS" -c 1024 -m "$FULLCOPY_SERVER_MB" \
      -X "$(repl_port 0)" -x "$HOST:$(repl_port 1)" --node-id=1 $EXTRA_SERVER_FLAGS; then
    fc_status="fail: A did not start"
  else
    a_pid=$SERVER_PID
    SERVER_PID=
    fill=$(taskset -c "$CLIENT_CPU" "${MCTOOL[@]}" --host "$HOST" --port "$(client_port 0)" fillbytes \
      --megabytes "$FULLCOPY_MB" --value-size "$FULLCOPY_VALUE" --content "$FULLCOPY_CONTENT" --timeout "$FULLCOPY_TIMEOUT" 2>&1) || fc_status="fail: fill: $fill"
    fc_keys=$(awk '$1 == "keys" {print $2}' <<<"$fill")
    fc_fill_s=$(awk '$1 == "seconds" {print $2}' <<<"$fill")
    fc_items=$(stat_of_group "$(client_port 0)" "" curr_items)
    fc_bytes=$(stat_of_group "$(client_port 0)" "" bytes)
    evictions=$(stat_of_group "$(client_port 0)" "" evictions)
    [[ $evictions == 0 ]] || fc_status="ok (A evicted $evictions items while filling)"
    digest_a=$(stat_of_group "$(client_port 0)" digest digest)
    echo "  A holds $fc_items items, $fc_bytes bytes; starting B" >&2
    t0=$(date +%s.%N)
    if ! READY_TIMEOUT=$FULLCOPY_TIMEOUT SERVER_CPU=$CLIENT_CPU start_server node "$(client_port 1)" "$raw/fullcopy.nodeB.log" \
        -t "$THREADS" -c 1024 -m "$FULLCOPY_SERVER_MB" -X "$(repl_port 1)" -x "$HOST:$(repl_port 0)" --node-id=2 \
        $EXTRA_SERVER_FLAGS; then
      fc_status="fail: B did not come up within ${FULLCOPY_TIMEOUT}s"
    else
      b_pid=$SERVER_PID
      SERVER_PID=
      t1=$(date +%s.%N)
      if "${MCTOOL[@]}" --host "$HOST" --port "$(client_port 1)" await --interval 0.02 --timeout 120 state in_sync \
          2>>"$raw/fullcopy.nodeB.log"; then
        t2=$(date +%s.%N)
        fc_sync_s=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')
      else
        fc_status="fail: B not in_sync"
      fi
      fc_ready_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
      fc_mb_s=$(awk -v b="$fc_bytes" -v s="$fc_ready_s" 'BEGIN { if (s > 0) printf "%.0f", b / 1048576 / s }')
      digest_b=$(stat_of_group "$(client_port 1)" digest digest)
      if [[ -n $digest_a && $digest_a == "$digest_b" ]]; then fc_digest="equal"; else fc_digest="differ ($digest_a / $digest_b)"; fi
      fc_frame=$(stat_of_group "$(client_port 0)" replication frame_bytes_sent)
      fc_wire=$(stat_of_group "$(client_port 0)" replication wire_bytes_sent)
      fc_rss_a=$(($(rss_kib "$a_pid") / 1024))
      fc_rss_b=$(($(rss_kib "$b_pid") / 1024))
      stop_pid "$b_pid"
    fi
    stop_pid "$a_pid"
  fi
  echo "  full copy: $fc_status; B answered after ${fc_ready_s:-—} s, in_sync after ${fc_sync_s:-—} s, digests ${fc_digest:-—}" >&2
fi
bench_secs=$((SECONDS - started))

tsv_table() { # tsv_table FILE: a TSV with a header line as a Markdown table
  echo "| $(head -n 1 "$1" | sed 's/\t/ | /g') |"
  echo "|$(head -n 1 "$1" | awk -F'\t' '{ for (i = 1; i <= NF; i++) printf "---|" }')"
  tail -n +2 "$1" | sed 's/^/| /; s/\t/ | /g; s/$/ |/'
}

{
  echo "# memfleet replication — $stamp"
  echo
  machine_facts
  echo "- load: memcaslap \`set100\` (100 % set, 16-byte keys, 100-byte values, \`-o 0.9\`), $CONNS connections" \
    "from one thread on CPU $CLIENT_CPU, against A only; ${WARMUP} s warm-up + ${DURATION} s measured, $REPEATS runs" \
    "per peer count on a fresh group each time, alternating the order"
  echo "- nodes: \`-t $THREADS -c 1024 -m $SERVER_MEM_MB${EXTRA_SERVER_FLAGS:+ $EXTRA_SERVER_FLAGS}\`; A on CPU $SERVER_CPU," \
    "its peers on CPU $PEER_CPU; with peers, every node lists the others in \`-x\` (default \`--min-acks 0\`)"
  echo "- took $((bench_secs / 60)) min $((bench_secs % 60)) s"
  echo
  echo "## Set throughput with 0, 1 and 2 peers, and replication lag"
  echo
  "$PY" "$BENCH_DIR/lib/report.py" replication "$runs"
  echo
  if ((RATE > 0)); then
    echo "### CPU per set at a fixed $RATE sets/s"
    echo
    echo "bench/loadgen, open loop, $CONNS connections, sets only (16-byte keys, 100-byte values, 100,000 keys), on CPU" \
      "$CLIENT_CPU; ${RATE_WARMUP} s warm-up, then /proc ticks over A's \`cmd_set\` for $((DURATION - 2)) s. The same load" \
      "whatever the peer count, so the ratio is what replication adds to each set (target: A ≤ 1.05× with one peer;" \
      "per node in a group of three ≤ 1.15× a pair's)."
    echo
    "$PY" "$BENCH_DIR/lib/report.py" rates "$rates"
    echo
  fi
  echo "<details><summary>Every run</summary>"
  echo
  tsv_table "$runs"
  if ((RATE > 0)); then
    echo
    tsv_table "$rates"
  fi
  echo
  echo "</details>"
  if [[ $RUN_FULLCOPY == 1 ]]; then
    echo
    echo "## Full copy of ~$FULLCOPY_MB MB"
    echo
    echo "A (\`-m $FULLCOPY_SERVER_MB\`, CPU $SERVER_CPU) filled with $FULLCOPY_MB MB of ${FULLCOPY_VALUE}-byte values ($FULLCOPY_CONTENT content; pipelined sets from" \
      "CPU $CLIENT_CPU); then B (\`-m $FULLCOPY_SERVER_MB\`, CPU $CLIENT_CPU) started empty with A in its \`-x\`. B opens its client" \
      "port once the copy is complete; the time runs from B's launch (JVM start included)."
    echo
    echo "| items on A | stats bytes on A | fill s | B answers after s | B in_sync after s | MB/s (bytes / answer time) | A's frame / wire MB sent | digests | RSS A / B MiB | status |"
    echo "|---:|---:|---:|---:|---:|---:|---|---|---|---|"
    echo "| ${fc_items:-—} | ${fc_bytes:-—} | ${fc_fill_s:-—} | **${fc_ready_s:-—}** | ${fc_sync_s:-—} | ${fc_mb_s:-—} | $(awk -v f="$fc_frame" -v w="$fc_wire" 'BEGIN { if (f > 0) printf "%.0f / %.0f", f / 1048576, w / 1048576; else printf "—" }') | ${fc_digest:-—} | ${fc_rss_a:-—} / ${fc_rss_b:-—} | $fc_status |"
  fi
} >"$out"

if [[ $UPDATE_RESULTS == 1 ]]; then
  # RESULTS.md keeps run.sh's section first; this script owns its marker up to the next hand-kept or other
  # script's part (a line starting "<!-- bench/pipeline.sh" or "<!-- kept by hand"), which stays as it is.
  results="$BENCH_DIR/RESULTS.md"
  marker="<!-- bench/replication.sh -->"
  kept=$(awk -v m="$marker" '$0 == m { exit } { print }' "$results")
  after=$(awk -v m="$marker" '$0 == m { own = 1; next } own && /^<!-- (bench\/pipeline\.sh|kept by hand)/ { rest = 1 } rest { print }' "$results")
  {
    echo "$kept"
    echo
    echo "$marker"
    echo "Latest replication run, copied from [results/$name.md](results/$name.md) by \`bench/replication.sh\` (about $est min):"
    echo
    sed '1s/^# /## /; 2,$s/^## /### /' "$out"
    if [[ -n $after ]]; then
      echo
      echo "$after"
    fi
  } >"$results"
fi

cat "$out"
echo >&2
echo "written: $out" >&2
if grep -q $'\tfail' "$runs" "$rates" || [[ $fc_status == fail* ]]; then
  echo "some runs failed; see the status columns and $raw" >&2
  exit 1
fi
