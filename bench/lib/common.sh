# Shared settings and helpers for bench/run.sh and bench/memory.sh (sourced, not executed).
# Every setting can be overridden from the environment; README.md lists them.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
PY=/usr/bin/python3
MCTOOL=("$PY" "$BENCH_DIR/lib/mctool.py")

HOST=127.0.0.1
MEMCACHED_PORT=${MEMCACHED_PORT:-21211}
NODE_PORT=${NODE_PORT:-21212}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
READY_TIMEOUT=${READY_TIMEOUT:-60}

JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
NODE_JAR=${NODE_JAR:-$REPO_DIR/node/target/memfleet-node.jar}
NODE_JAVA_OPTS=${NODE_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx128m}  # bin/memfleet-node's flags
MEMCACHED_CMD=${MEMCACHED_CMD:-/usr/bin/memcached}
if [[ -n ${NODE_CMD:-} ]]; then
  NODE_CMD_OVERRIDDEN=1
else
  NODE_CMD_OVERRIDDEN=0
  NODE_CMD="$JAVA${NODE_JAVA_OPTS:+ $NODE_JAVA_OPTS} -jar $NODE_JAR"
fi
# NODE_AOT=1 (the default, as bin/memfleet-node): the node starts with the JDK's AOT cache beside the jar,
# trained first (memfleet.node.aot.Training, ~10 s) when missing or older than the jar; NODE_AOT=0: without.
NODE_AOT=${NODE_AOT:-1}
NODE_AOT_CACHE=${NODE_AOT_CACHE:-${NODE_JAR%.jar}.aot}
if [[ $NODE_CMD_OVERRIDDEN == 0 && $NODE_AOT == 1 ]]; then
  NODE_CMD="$JAVA${NODE_JAVA_OPTS:+ $NODE_JAVA_OPTS} -XX:AOTCache=$NODE_AOT_CACHE -jar $NODE_JAR"
fi

# Makes the node's AOT cache if NODE_CMD uses one and it is missing or older than the jar.
ensure_aot_cache() {
  if [[ $NODE_CMD == *"-XX:AOTCache=$NODE_AOT_CACHE"* ]] && [[ ! -f $NODE_AOT_CACHE || $NODE_AOT_CACHE -ot $NODE_JAR ]]; then
    echo "training the node's AOT cache $NODE_AOT_CACHE" >&2
    rm -f "$NODE_AOT_CACHE"
    # shellcheck disable=SC2086
    $JAVA $NODE_JAVA_OPTS -XX:AOTCacheOutput="$NODE_AOT_CACHE" -cp "$NODE_JAR" memfleet.node.aot.Training 6 \
      >"$NODE_AOT_CACHE.log" 2>&1 || { echo "AOT training failed: $NODE_AOT_CACHE.log" >&2; return 1; }
  fi
}

# Refuses to go on without the node jar, unless the subject command was replaced.
require_node_jar() {
  if [[ $NODE_CMD_OVERRIDDEN == 0 && -f $NODE_JAR ]]; then
    ensure_aot_cache
  fi
  if [[ $NODE_CMD_OVERRIDDEN == 0 && ! -f $NODE_JAR ]]; then
    cat >&2 <<EOF
The node jar is missing: $NODE_JAR
Build it first (this script builds nothing):
    cd $REPO_DIR && ./mvnw -q -pl node -am package -DskipTests
or point NODE_CMD at another server command to compare against memcached.
EOF
    exit 2
  fi
}

require_tools() {
  local t
  for t in taskset memcaslap "$PY" ${MEMCACHED_CMD%% *}; do
    command -v "$t" >/dev/null || { echo "missing tool: $t (apt-get install libmemcached-tools memcached util-linux)" >&2; exit 2; }
  done
  if (( $(nproc) < 2 )); then
    echo "need 2 CPUs to pin server and load generator apart; nproc=$(nproc)" >&2
    exit 2
  fi
}

# PIDs this script started; the EXIT trap ends whichever are still alive.
STARTED_PIDS=()

cleanup_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
}
trap cleanup_started EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

forget_pid() {
  local p keep=()
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}")
}

# Waits for a PID we started, at most LIMIT seconds, then kills it; returns its exit status.
wait_bounded() {
  local pid=$1 limit=$2 end=$((SECONDS + $2)) rc=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= end)); then
      echo "  PID $pid still running after ${limit}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

# Ends one PID: TERM, up to 10 s grace, then KILL; reaps it and forgets it, so a later cleanup
# can never signal an unrelated process that reused the number.
stop_pid() {
  local pid=$1 i
  forget_pid "$pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# start_server SUBJECT PORT LOG FLAGS... : starts memcached or the node pinned to SERVER_CPU, sets
# SERVER_PID, waits until it answers `version`. Returns 1 when the port is taken or it never answers.
start_server() {
  local subject=$1 port=$2 log=$3 cmdline
  shift 3
  if [[ $subject == memcached ]]; then cmdline=$MEMCACHED_CMD; else cmdline=$NODE_CMD; fi
  local -a cmd
  read -r -a cmd <<<"$cmdline"
  # memcached, and the node like it, refuse to run as root without -u.
  if ((EUID == 0)) && [[ " $cmdline " != *" -u "* ]]; then cmd+=(-u root); fi
  if ! "${MCTOOL[@]}" --host "$HOST" --port "$port" free; then
    return 1
  fi
  # taskset execs the server, so $! is the server's own PID (what RSS and CPU accounting read).
  taskset -c "$SERVER_CPU" "${cmd[@]}" -p "$port" -l "$HOST" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  if ! "${MCTOOL[@]}" --host "$HOST" --port "$port" ready --timeout "$READY_TIMEOUT" --pid "$SERVER_PID" >>"$log" 2>&1; then
    echo "  $subject did not come up on port $port; its log ($log):" >&2
    tail -n 20 "$log" >&2 || true
    stop_server
    return 1
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "  $subject exited right after answering (another server on port $port?)" >&2
    return 1
  fi
}

stop_server() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  stop_pid "$SERVER_PID"
  SERVER_PID=
}

port_of() { if [[ $1 == memcached ]]; then echo "$MEMCACHED_PORT"; else echo "$NODE_PORT"; fi; }

rss_kib() { awk -v k="${2:-VmRSS}:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo "-"; }

# CPU counters from /proc/stat without forking, in clock ticks: CPU_BUSY (user+nice+system+steal of
# the machine; steal is time the VM's host ran something else instead), CPU_ALL (all columns of the machine), and per CPU N: CPU_IDLE[N] (idle+iowait) and
# CPU_TOT[N] (all columns).
declare -A CPU_IDLE CPU_TOT
read_cpu_totals() {
  local -a f
  local i t
  while read -r -a f; do
    [[ ${f[0]} == cpu* ]] || break
    t=0
    for ((i = 1; i < ${#f[@]}; i++)); do t=$((t + f[i])); done
    if [[ ${f[0]} == cpu ]]; then
      CPU_BUSY=$((f[1] + f[2] + f[3] + ${f[8]:-0}))
      CPU_ALL=$t
    else
      CPU_IDLE[${f[0]#cpu}]=$((f[4] + f[5]))
      CPU_TOT[${f[0]#cpu}]=$t
    fi
  done </proc/stat
}

# utime+stime of a PID in clock ticks (the whole process, all threads); 0 once it is gone.
proc_ticks() {
  local -a f
  if read -r -a f <"/proc/$1/stat" 2>/dev/null; then
    # Field 2 is "(comm)"; memcached, java, memcaslap have no spaces in it.
    echo $((f[13] + f[14]))
  else
    echo 0
  fi
}

# Waits until the whole machine has been quiet for QUIET_SECONDS in a row (other people's builds
# and tests share it, and they come in bursts). Busy is user+nice+system+irq+softirq+steal of the
# whole machine. Proceeds after QUIET_MAX_WAIT seconds regardless and says so; the per-run "other
# load" column then shows what ran beside the benchmark.
QUIET_BUSY_PCT=${QUIET_BUSY_PCT:-10}
QUIET_SECONDS=${QUIET_SECONDS:-3}
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-120}
wait_for_quiet() {
  local start=$SECONDS quiet=0 busy all pct i
  local -a f g
  read -r -a f </proc/stat
  while ((quiet < QUIET_SECONDS)); do
    sleep 1
    read -r -a g </proc/stat
    busy=$(((g[1] + g[2] + g[3] + g[6] + g[7] + g[8]) - (f[1] + f[2] + f[3] + f[6] + f[7] + f[8])))
    all=0
    for ((i = 1; i < ${#g[@]}; i++)); do all=$((all + g[i] - f[i])); done
    f=("${g[@]}")
    pct=$((all > 0 ? 100 * busy / all : 0))
    if ((pct <= QUIET_BUSY_PCT)); then quiet=$((quiet + 1)); else quiet=0; fi
    if ((quiet < QUIET_SECONDS && SECONDS - start >= QUIET_MAX_WAIT)); then
      echo "  machine not quiet for ${QUIET_SECONDS}s in a row within ${QUIET_MAX_WAIT}s (last second ${pct}% busy); measuring anyway" >&2
      return 0
    fi
  done
}

machine_facts() {
  local cpu kernel jdk mc mcs
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  kernel=$(uname -srm)
  jdk=$("$JAVA" -version 2>&1 | head -n 2 | tail -n 1)
  mc=$(${MEMCACHED_CMD%% *} -V 2>&1 | head -n 1)
  mcs=$(memcaslap -V 2>&1 | head -n 1)
  echo "- host: \`$(hostname)\`; CPU: $cpu; \`nproc\` = $(nproc); memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "- kernel: $kernel"
  echo "- JDK: $jdk"
  echo "- reference: $mc (\`$MEMCACHED_CMD\`); load generator: $mcs (Debian libmemcached-tools \`memcaslap\`)"
  if [[ $NODE_CMD_OVERRIDDEN == 1 ]]; then
    echo "- node: **replaced** by \`NODE_CMD=$NODE_CMD\` (not the memfleet node)"
  else
    local jar_facts="missing"
    [[ -f $NODE_JAR ]] && jar_facts="built $(date -r "$NODE_JAR" '+%F %T'), sha256 $(sha256sum "$NODE_JAR" | cut -c1-12)"
    echo "- node: \`$NODE_CMD\` (jar $jar_facts; NODE_JAVA_OPTS=\`${NODE_JAVA_OPTS:-}\`)"
  fi
  echo "- repo: $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n $(git -C "$REPO_DIR" status --porcelain 2>/dev/null | head -n 1) ]] && echo ' (work tree has uncommitted changes)')"
}
