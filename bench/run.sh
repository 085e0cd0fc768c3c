#!/usr/bin/env bash
# Throughput/latency of the memfleet node against Debian's memcached, in one run on one machine,
# reported as node/memcached ratios; then the memory-efficiency check (bench/memory.sh).
# Method and settings: bench/README.md. Builds nothing: expects node/target/memfleet-node.jar.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DURATION=${DURATION:-15}          # measured seconds per run
WARMUP=${WARMUP:-15}              # unmeasured seconds of the same load first (JIT, caches, slabs)
WARMUP_ROUNDS=${WARMUP_ROUNDS:-2} # the warm-up as this many load generators in turn, each on new connections
REPEATS=${REPEATS:-3}             # pairs per configuration; the table shows medians
THREADS=${THREADS:-"1 2"}         # server -t values
WORKLOADS=${WORKLOADS:-"get90 set100"}
CONNS=${CONNS:-64}                # load-generator connections
SERVER_MEM_MB=${SERVER_MEM_MB:-1024}   # -m for the throughput runs: large enough never to evict
SERVER_MAX_CONNS=${SERVER_MAX_CONNS:-1024}
EXTRA_SERVER_FLAGS=${EXTRA_SERVER_FLAGS:-}
PAIR_ATTEMPTS=${PAIR_ATTEMPTS:-3}  # a pair disturbed by other processes is measured again, this often at most
OTHER_MAX_PCT=${OTHER_MAX_PCT:-10} # "disturbed": other processes (or the VM host, as steal) took more than this % of a core during a run
MAX_MINUTES=${MAX_MINUTES:-90}    # past this, no more re-measuring and no more waiting for a quiet machine
MODE=${MODE:-sequential}          # sequential: a fresh server per run; interleaved: both up, load alternates
RUN_MEMORY=${RUN_MEMORY:-1}
PROTOCOL=${PROTOCOL:-text}        # text or binary (memcaslap --binary); meta: no load generator speaks it yet
LABEL=${LABEL:-$([[ $PROTOCOL == text ]] || echo "$PROTOCOL")}
UPDATE_RESULTS=${UPDATE_RESULTS:-$((1 - NODE_CMD_OVERRIDDEN))}

require_tools
require_node_jar
((DURATION >= 3)) || { echo "DURATION must be at least 3 seconds" >&2; exit 2; }
[[ $MODE == sequential || $MODE == interleaved ]] || { echo "MODE must be sequential or interleaved" >&2; exit 2; }
case $PROTOCOL in
  text | binary) ;;
  meta) echo "PROTOCOL=meta: memcaslap has no meta mode; add a meta load generator to client_cmd" >&2; exit 2 ;;
  *) echo "PROTOCOL must be text or binary" >&2; exit 2 ;;
esac

stamp=$(date +%Y-%m-%d-%H%M%S)
name="$stamp-$(hostname -s)${LABEL:+-$LABEL}"
out="$BENCH_DIR/results/$name.md"
raw="$BENCH_DIR/results/raw/$name"
mkdir -p "$raw"
runs="$raw/runs.tsv"            # the runs the tables are made of
discarded="$raw/discarded.tsv"  # disturbed pairs that were measured again
pair_rows="$raw/pair.tsv"
tsv_header='threads\tworkload\trep\torder\tsubject\tops_s\tavg_us\tp50_us\tp99_us\thit_pct\tsec_cv_pct\tsec_min\tserver_cpu_idle_pct\tclient_cpu_idle_pct\tother_cpu_pct\tstatus\n'
printf "$tsv_header" >"$runs"
printf "$tsv_header" >"$discarded"

read -r -a thread_list <<<"$THREADS"
read -r -a workload_list <<<"$WORKLOADS"
total=$((${#thread_list[@]} * ${#workload_list[@]} * REPEATS * 2))
if [[ $MODE == sequential ]]; then est=$((total * (WARMUP + DURATION + 5) / 60 + 1)); else
  est=$(((total * (DURATION + 4) + ${#thread_list[@]} * ${#workload_list[@]} * 2 * (WARMUP + 4)) / 60 + 1)); fi
echo "memfleet bench ($MODE, $PROTOCOL protocol): $total runs of ${DURATION}s (+${WARMUP}s warm-up), about $est min on a quiet machine" >&2
echo "  memcached: $MEMCACHED_CMD (port $MEMCACHED_PORT)   node: $NODE_CMD (port $NODE_PORT)" >&2
echo "  servers on CPU $SERVER_CPU, memcaslap on CPU $CLIENT_CPU; raw output in $raw" >&2

stat_of() { # stat_of PORT NAME -> value, or empty when the server has no such stat or no stats
  { "${MCTOOL[@]}" --host "$HOST" --port "$1" stats "$2" 2>/dev/null | awk '$2 != "-" {print $2}'; } || true
}

# SRV_PID[subject]: the running server of each side (empty when it is not running).
declare -A SRV_PID=([memcached]="" [node]="")

# Starts SUBJECT with -t THREADS and gives it WARMUP seconds of WORKLOAD. Returns 1 when it does
# not come up (its runs then fail with that status).
server_up() {
  local subject=$1 threads=$2 workload=$3 tag=$4 port
  port=$(port_of "$subject")
  if ! start_server "$subject" "$port" "$raw/$tag.server.log" \
      -t "$threads" -c "$SERVER_MAX_CONNS" -m "$SERVER_MEM_MB" $EXTRA_SERVER_FLAGS; then
    return 1
  fi
  SRV_PID[$subject]=$SERVER_PID
  SERVER_PID=
  client_cmd "$subject" "$workload"
  # WARMUP_ROUNDS load generators one after the other, each on new connections: a server in use has seen
  # clients come and go. (The node's JIT compiles its read path from a profile with no accepts or closes in it;
  # the first wave of new connections after that costs it a recompilation, seconds on one pinned core, which
  # otherwise falls into the measured run. memcached gets the same rounds.)
  local round secs left=$WARMUP
  for ((round = 1; round <= WARMUP_ROUNDS; round++)); do
    secs=$(((left + WARMUP_ROUNDS - round) / (WARMUP_ROUNDS - round + 1)))
    left=$((left - secs))
    ((secs > 0)) || continue
    "${CLIENT[@]}" -t "${secs}s" >>"$raw/$tag.warmup.txt" 2>&1 &
    STARTED_PIDS+=("$!")
    wait_bounded "$!" $((secs + 30)) || echo "  warm-up client for $subject exited with $?" >&2
  done
}

server_down() {
  [[ -n ${SRV_PID[$1]} ]] && stop_pid "${SRV_PID[$1]}"
  SRV_PID[$1]=""
}

client_cmd() { # sets CLIENT to the memcaslap command line for SUBJECT and WORKLOAD
  local -a extra=()
  [[ $2 == set100 ]] && extra=(-o 0.9)
  [[ $PROTOCOL == binary ]] && extra+=(--binary)
  CLIENT=(taskset -c "$CLIENT_CPU" memcaslap -s "$HOST:$(port_of "$1")" -F "$BENCH_DIR/workloads/$2.cfg"
    -T 1 -c "$CONNS" "${extra[@]}")
}

# One measured run against the running server of SUBJECT: DURATION seconds of load, CPU
# accounting, stats. Appends its row to $pair_rows; sets LAST_OTHER (CPU time taken during the
# run by anything but this server and the load generator, % of a core) and LAST_STATUS.
n=0
load_run() {
  local subject=$1 threads=$2 workload=$3 rep=$4 order=$5 attempt=$6
  local port tag status=ok ops_s="" avg="" p50="" p99="" hit="—" other="—" sidle="—" cidle="—" cv="" smin=""
  local pid=${SRV_PID[$subject]}
  port=$(port_of "$subject")
  tag="t$threads-$workload-r$rep-a$attempt-$subject"
  n=$((n + 1))
  if [[ -z $pid ]]; then
    status="fail: server did not start"
  elif ! kill -0 "$pid" 2>/dev/null; then
    status="fail: server died"
  else
    client_cmd "$subject" "$workload"
    local g0 h0 g1 h1
    g0=$(stat_of "$port" cmd_get); h0=$(stat_of "$port" get_hits)

    read_cpu_totals
    local busy0=$CPU_BUSY all0=$CPU_ALL srv0 cli_pid
    local si0=${CPU_IDLE[$SERVER_CPU]} st0=${CPU_TOT[$SERVER_CPU]} ci0=${CPU_IDLE[$CLIENT_CPU]} ct0=${CPU_TOT[$CLIENT_CPU]}
    srv0=$(proc_ticks "$pid")
    "${CLIENT[@]}" -t "${DURATION}s" -S 1s >"$raw/$tag.txt" 2>&1 &
    cli_pid=$!
    STARTED_PIDS+=("$cli_pid")
    # Sample the CPU counters while the client is still alive (its ticks vanish when it exits).
    sleep $((DURATION - 1))
    read_cpu_totals
    local srv1 cli1
    srv1=$(proc_ticks "$pid"); cli1=$(proc_ticks "$cli_pid")
    other=$(awk -v b=$((CPU_BUSY - busy0)) -v a=$((CPU_ALL - all0)) -v o=$((srv1 - srv0 + cli1)) -v c="$(nproc)" \
      'BEGIN { v = a > 0 ? 100 * (b - o) / (a / c) : 0; if (v < 0) v = 0; printf "%.0f", v }')
    # Idle share of each pinned CPU: ~0 on the client's CPU means the load generator was the limit.
    sidle=$(awk -v i=$((CPU_IDLE[$SERVER_CPU] - si0)) -v t=$((CPU_TOT[$SERVER_CPU] - st0)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * i / t : 0) }')
    cidle=$(awk -v i=$((CPU_IDLE[$CLIENT_CPU] - ci0)) -v t=$((CPU_TOT[$CLIENT_CPU] - ct0)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * i / t : 0) }')
    wait_bounded "$cli_pid" 40 || status="fail: client exit $?"

    g1=$(stat_of "$port" cmd_get); h1=$(stat_of "$port" get_hits)
    if [[ $workload != set100 && -n $g0 && -n $g1 && -n $h0 && -n $h1 ]] && ((g1 > g0)); then
      hit=$(awk -v h=$((h1 - h0)) -v g=$((g1 - g0)) 'BEGIN { printf "%.1f", 100 * h / g }')
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      status="fail: server died"
    fi

    local k v
    while read -r k v; do
      case $k in
        ops_s) ops_s=$v ;; avg_us) avg=$v ;; p50_us) p50=$v ;; p99_us) p99=$v ;;
        sec_cv_pct) cv=$v ;; sec_min) smin=$v ;;
      esac
    done < <("$PY" "$BENCH_DIR/lib/report.py" parse "$raw/$tag.txt")
    [[ -n $ops_s ]] || { [[ $status == ok ]] && status="fail: no memaslap result"; }
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$threads" "$workload" "$rep" "$order" \
    "$subject" "$ops_s" "$avg" "$p50" "$p99" "$hit" "$cv" "$smin" "$sidle" "$cidle" "$other" "$status" >>"$pair_rows"
  LAST_OTHER=$other
  LAST_STATUS=$status
  printf '[%d/%d] -t %s %-6s rep %d %-9s %8s ops/s  avg %4s us  p99 %5s us  hit %5s%%  1-s CV %3s%%  idle srv/cli %3s/%3s%%  other %3s%%  %s\n' \
    "$n" "$total" "$threads" "$workload" "$rep" "$subject" "${ops_s:-—}" "${avg:-—}" "${p99:-—}" "$hit" \
    "${cv:-—}" "$sidle" "$cidle" "$other" "$status" >&2
}

# One run as the ordering mode wants it: in sequential mode a fresh server of its own, warmed up
# and stopped afterwards; in interleaved mode the server that is already up.
measure() {
  local subject=$1 threads=$2 workload=$3 rep=$4 order=$5 attempt=$6
  # Wait for a quiet machine before a pair, not between its halves: they should be close in time.
  if ((order == 1 && SECONDS < deadline)); then wait_for_quiet; fi
  if [[ $MODE == sequential ]]; then
    server_up "$subject" "$threads" "$workload" "t$threads-$workload-r$rep-a$attempt-$subject" || true
  fi
  load_run "$@"
  if [[ $MODE == sequential ]]; then server_down "$subject"; fi
}

disturbed() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > OTHER_MAX_PCT)); }

started=$SECONDS
deadline=$((SECONDS + MAX_MINUTES * 60))
remeasured=0
for threads in "${thread_list[@]}"; do
  for workload in "${workload_list[@]}"; do
    if [[ $MODE == interleaved ]]; then
      # Both servers stay up (both on SERVER_CPU) for the whole configuration; the load
      # alternates between them, so a slow drift of the machine hits both sides alike.
      if ((SECONDS < deadline)); then wait_for_quiet; fi
      server_up memcached "$threads" "$workload" "t$threads-$workload-memcached" || true
      server_up node "$threads" "$workload" "t$threads-$workload-node" || true
    fi
    for ((rep = 1; rep <= REPEATS; rep++)); do
      # Alternate who goes first so a drift in the machine's state does not favour one side.
      if ((rep % 2 == 1)); then pair=(memcached node); else pair=(node memcached); fi
      for ((attempt = 1; ; attempt++)); do
        : >"$pair_rows"
        measure "${pair[0]}" "$threads" "$workload" "$rep" 1 "$attempt"
        o1=$LAST_OTHER s1=$LAST_STATUS
        measure "${pair[1]}" "$threads" "$workload" "$rep" 2 "$attempt"
        o2=$LAST_OTHER s2=$LAST_STATUS
        if ! disturbed "$o1" && ! disturbed "$o2"; then break; fi
        if [[ $s1 != ok || $s2 != ok ]] || ((attempt >= PAIR_ATTEMPTS || SECONDS >= deadline)); then
          sed -i 's/\tok$/\tok (disturbed)/' "$pair_rows"
          break
        fi
        echo "  other processes used the CPUs during this pair (${o1}%, ${o2}% of a core); measuring it again" >&2
        cat "$pair_rows" >>"$discarded"
        remeasured=$((remeasured + 1))
        total=$((total + 2))
      done
      cat "$pair_rows" >>"$runs"
    done
    server_down memcached
    server_down node
  done
done
rm -f "$pair_rows"
bench_secs=$((SECONDS - started))

memory_md=""
memory_failed=0
if [[ $RUN_MEMORY == 1 ]]; then
  memory_md=$("$BENCH_DIR/memory.sh" --raw-dir "$raw") || memory_failed=1
fi

{
  echo "# memfleet vs memcached — $stamp"
  echo
  machine_facts
  if [[ $MODE == sequential ]]; then
    echo "- order: sequential: every run on a fresh server, ${WARMUP} s warm-up (${WARMUP_ROUNDS} load generators in turn, each on new connections) + ${DURATION} s measured;" \
      "$REPEATS pairs per configuration, alternating which side goes first"
  else
    echo "- order: interleaved: both servers up for a whole configuration (both on CPU $SERVER_CPU), each" \
      "warmed up ${WARMUP} s (${WARMUP_ROUNDS} rounds on new connections), then $REPEATS pairs of ${DURATION} s runs alternating between them"
  fi
  echo "- settings:" \
    "$CONNS connections from one memcaslap thread on CPU $CLIENT_CPU; server on CPU $SERVER_CPU" \
    "(for every -t); server flags \`-t N -c $SERVER_MAX_CONNS -m $SERVER_MEM_MB${EXTRA_SERVER_FLAGS:+ $EXTRA_SERVER_FLAGS}\`;" \
    "16-byte keys, 100-byte values"
  echo "- took $((bench_secs / 60)) min $((bench_secs % 60)) s; $remeasured pair(s) measured again because other" \
    "processes used more than ${OTHER_MAX_PCT}% of a core during them (discarded runs: \`$(basename "$raw")/discarded.tsv\`)"
  echo
  echo "## Throughput and latency"
  echo
  "$PY" "$BENCH_DIR/lib/report.py" summary "$runs"
  if [[ -n $memory_md ]]; then
    echo
    echo "$memory_md"
  fi
} >"$out"

if [[ $UPDATE_RESULTS == 1 ]]; then
  # bench/replication.sh owns the part of RESULTS.md from its marker on: keep it
  replication_section=$(awk '$0 == "<!-- bench/replication.sh -->" { keep = 1 } keep { print }' "$BENCH_DIR/RESULTS.md" 2>/dev/null || true)
  {
    echo "# Benchmark results"
    echo
    echo "Latest run, copied from [results/$name.md](results/$name.md) by \`bench/run.sh\`."
    echo "How it is measured, and how much two identical servers differ on this machine (the noise"
    echo "to hold these ratios against): [README.md](README.md). bench/loadgen.sh (our own generator), fixed-rate"
    echo "tail latency, warm start and memory: section \"Issue 11\" further down. Reproduce with:"
    echo
    echo '```'
    echo "bench/run.sh                      # full run, about $est min on a quiet machine"
    echo '```'
    echo
    sed '1s/^# /## /; 2,$s/^## /### /' "$out"
    if [[ -n $replication_section ]]; then
      echo
      echo "$replication_section"
    fi
  } >"$BENCH_DIR/RESULTS.md"
fi

cat "$out"
echo >&2
echo "written: $out" >&2
if [[ $UPDATE_RESULTS == 1 ]]; then echo "updated: $BENCH_DIR/RESULTS.md" >&2; fi
if grep -q $'\tfail' "$runs" || ((memory_failed)); then
  echo "some runs failed; see the status columns and $raw" >&2
  exit 1
fi
