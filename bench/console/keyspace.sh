#!/usr/bin/env bash
# Key-space analysis benchmark: one node holding ITEMS items (four key prefixes, 100-byte values), a console with
# a CONSOLE_HEAP heap limit (256m), and the time the console takes to stream the node's `lru_crawler metadump all`
# into its key-space page, with the console's heap sampled every 200 ms by jstat meanwhile. Bounded: the fill takes
# about a minute for 1M items, the analysis is given 120 s, then everything it started is stopped.
#
#   bench/console/keyspace.sh          # needs node/target/memfleet-node.jar and console/target/memfleet-console.jar
#   ITEMS=200000 RUNS=2 bench/console/keyspace.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

ITEMS=${ITEMS:-1000000}
RUNS=${RUNS:-3}
NODE_PORT=${NODE_PORT:-41500}
CONSOLE_PORT=${CONSOLE_PORT:-41499}
CONSOLE_HEAP=${CONSOLE_HEAP:-256m}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
PY=/usr/bin/python3
OUT=bench/console/RESULTS.md
WORK=$(mktemp -d)

for jar in node/target/memfleet-node.jar console/target/memfleet-console.jar; do
  [[ -f $jar ]] || { echo "missing $jar: run ./mvnw -pl console,node -am package -DskipTests first" >&2; exit 1; }
done

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
user_flag=()
[[ $(id -u) == 0 ]] && user_flag=(-u root)

"$JAVA" -jar node/target/memfleet-node.jar -p "$NODE_PORT" -U 0 -m 1024 -t 2 "${user_flag[@]}" >"$WORK/node.log" 2>&1 &
pids+=($!)
$PY bench/lib/mctool.py --port "$NODE_PORT" ready >/dev/null
# four prefixes, 40/30/20/10 % of the items; 12-byte keys
fill_started=$SECONDS
for spec in "user:%07d 40" "sess:%07d 30" "cart:%07d 20" "feed:%07d 10"; do
  read -r fmt share <<<"$spec"
  $PY bench/lib/mctool.py --port "$NODE_PORT" fill --key-format "$fmt" --key-len 12 \
    --max-keys $((ITEMS * share / 100)) --value-size 100 --timeout 600 >/dev/null || [[ $? == 3 ]]
done
items=$($PY bench/lib/mctool.py --port "$NODE_PORT" stats | awk '$1 == "curr_items" {print $2}')
echo "node holds $items items (filled in $((SECONDS - fill_started)) s)"

"$JAVA" "-Xmx$CONSOLE_HEAP" -jar console/target/memfleet-console.jar --server.port=$CONSOLE_PORT \
  --memfleet.nodes="127.0.0.1:$NODE_PORT@bench" --memfleet.collect.interval=2s >"$WORK/console.log" 2>&1 &
console_pid=$!
pids+=($console_pid)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$CONSOLE_PORT/actuator/health" -o /dev/null && break || true
  sleep 1
done
jar="$WORK/cookies"
csrf=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$CONSOLE_PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=viewer&password=viewer&_csrf=$csrf" "http://127.0.0.1:$CONSOLE_PORT/login"

# heap used (KB): survivor + eden + old, every 200 ms while the runs go on
"$JAVA_HOME/bin/jstat" -gc "$console_pid" 200 >"$WORK/jstat" 2>/dev/null &
jstat_pid=$!
pids+=($jstat_pid)
rows=()
for ((r = 1; r <= RUNS; r++)); do
  page="$WORK/page-$r.html"
  wall=$(curl -s -b "$jar" -o "$page" -w '%{time_total}' --max-time 150 \
    "http://127.0.0.1:$CONSOLE_PORT/keyspace?id=127.0.0.1:$NODE_PORT&fresh=1")
  took=$(grep -o 'in <span>[0-9]* ms' "$page" | grep -o '[0-9]*' | head -1)
  lines=$(grep -o '(<span>[0-9]*</span> metadump lines' "$page" | grep -o '[0-9]*' | head -1)
  prefixes=$(grep -c '<tr data-prefix=' "$page" || true)
  [[ -n $took ]] || { echo "run $r: no analysis in the page:"; grep -o 'The analysis failed[^<]*' "$page" || head -c 2000 "$page"; exit 1; }
  echo "run $r: analysis ${took} ms, page ${wall} s, $lines lines, $prefixes prefix rows"
  rows+=("| $r | $lines | $took ms | $(awk -v w="$wall" 'BEGIN {printf "%.2f s", w}') | $prefixes |")
done
sleep 0.5
kill "$jstat_pid" 2>/dev/null || true
heap_max=$(awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {u = $3 + $4 + $6 + $8; if (u > m) m = u} END {printf "%.0f", m / 1024}' "$WORK/jstat")
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$console_pid/status")
echo "console heap used, peak: $heap_max MB (limit $CONSOLE_HEAP); RSS high-water mark $rss MB"

{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores — key-space analysis"
  echo
  echo "\`bench/console/keyspace.sh\`: one node with $items items (12-byte keys under four prefixes, 100-byte values), the console started with \`-Xmx$CONSOLE_HEAP\`; each run asks \`/keyspace?id=…&fresh=1\`, which streams \`lru_crawler metadump all\` into the aggregate. Heap used sampled every 200 ms by jstat over all runs: peak **$heap_max MB**; console RSS high-water mark $rss MB."
  echo
  echo "| run | metadump lines | analysis (console's own timing) | page, wall | prefix rows |"
  echo "|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} >>"$OUT"
echo "appended to $OUT"
