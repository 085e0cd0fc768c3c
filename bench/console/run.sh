#!/usr/bin/env bash
# Console benchmark: the console's CPU and memory while it polls 100 node addresses every 2 s (or 1,000 with
# NODES=20 PORTS_PER_NODE=50: real node processes behind every address, no simulated responders), the fleet
# page's server time, and one Prometheus scrape's time and size. Bounded: about 2.5 minutes, then everything it started is stopped.
#
# 100 addresses come from NODES node processes listening on PORTS_PER_NODE ports each (the node's -l takes a
# host:port list), so 100 addresses cost 10 JVMs instead of 100. The console still opens one connection per
# address per poll and parses five stats replies per address; what the node process behind a port is does not
# change the console's work.
#
#   bench/console/run.sh            # needs node/target/memfleet-node.jar and console/target/memfleet-console.jar
#   NODES=20 PORTS_PER_NODE=5 WARMUP=30 MEASURE=60 bench/console/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

NODES=${NODES:-10}
PORTS_PER_NODE=${PORTS_PER_NODE:-10}
WARMUP=${WARMUP:-30}
MEASURE=${MEASURE:-60}
PAGE_REQUESTS=${PAGE_REQUESTS:-50}
BASE_PORT=${BASE_PORT:-21000}  # below the ephemeral range (32768-60999), so no client socket holds one
CONSOLE_PORT=${CONSOLE_PORT:-20999}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
CONSOLE_JAVA_OPTS=${CONSOLE_JAVA_OPTS:-}
OUT=bench/console/RESULTS.md
WORK=$(mktemp -d)

for jar in node/target/memfleet-node.jar console/target/memfleet-console.jar; do
  [[ -f $jar ]] || { echo "missing $jar: run ./mvnw -pl console -am package -DskipTests first" >&2; exit 1; }
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

addresses=()
for ((n = 0; n < NODES; n++)); do
  listen=()
  for ((p = 0; p < PORTS_PER_NODE; p++)); do
    port=$((BASE_PORT + n * PORTS_PER_NODE + p))
    listen+=("127.0.0.1:$port")
    addresses+=("127.0.0.1:$port@g$((n % 4))")
  done
  "$JAVA" -XX:+UseSerialGC -Xms16m -Xmx64m -jar node/target/memfleet-node.jar -m 8 -t 1 "${user_flag[@]}" \
    -l "$(IFS=,; echo "${listen[*]}")" >"$WORK/node-$n.log" 2>&1 &
  pids+=($!)
done
nodes_arg=$(IFS=,; echo "${addresses[*]}")
echo "started $NODES node processes, ${#addresses[@]} addresses"
# every address must listen before the console starts (20 JVMs take a while on 2 cores); a node that died says why
for ((n = 0; n < NODES; n++)); do
  for ((p = 0; p < PORTS_PER_NODE; p++)); do
    port=$((BASE_PORT + n * PORTS_PER_NODE + p))
    for ((w = 0; w < 600; w++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      kill -0 "${pids[$n]}" 2>/dev/null || { echo "node process $n exited:" >&2; tail -5 "$WORK/node-$n.log" >&2; exit 1; }
      sleep 0.1
    done
  done
done
echo "all ${#addresses[@]} addresses listen"

# shellcheck disable=SC2086
"$JAVA" $CONSOLE_JAVA_OPTS -jar console/target/memfleet-console.jar --server.port=$CONSOLE_PORT \
  --memfleet.nodes="$nodes_arg" --memfleet.collect.interval=2s >"$WORK/console.log" 2>&1 &
console_pid=$!
pids+=($console_pid)

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$CONSOLE_PORT/actuator/health" -o "$WORK/health.json" && break || true
  sleep 1
done
echo "console up; warming up ${WARMUP}s"
sleep "$WARMUP"
up=$(grep -o '"up":[0-9]*' "$WORK/health.json" | head -1 || true)
curl -s "http://127.0.0.1:$CONSOLE_PORT/actuator/health" -o "$WORK/health.json" || true
up=$(grep -o '"up":[0-9]*,"total":[0-9]*' "$WORK/health.json" | head -1)
# why any node is down (counted by reason): a bench with nodes down measures less than it says
down_reasons=$(grep -o '"error":"[^"]*"' "$WORK/health.json" | sed 's/"error":"//; s/"$//' | sort | uniq -c | sort -rn | head -5 \
  | awk '{n = $1; $1 = ""; printf "%s%s ×%s", (NR > 1 ? "; " : ""), substr($0, 2), n}' || true)
if [[ -n $down_reasons ]]; then echo "down: $down_reasons"; fi

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$console_pid/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$console_pid/status"; }
load_start=$(cut -d' ' -f1 /proc/loadavg)
t0=$(cpu_ticks); s0=$(date +%s.%N)
rss_max=0; rss_sum=0; rss_n=0
end=$((SECONDS + MEASURE))
while ((SECONDS < end)); do
  r=$(rss_kb); ((r > rss_max)) && rss_max=$r; rss_sum=$((rss_sum + r)); rss_n=$((rss_n + 1))
  sleep 5
done
t1=$(cpu_ticks); s1=$(date +%s.%N)
cpu_pct=$(awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz / (e - s) * 100}')
rss_avg=$((rss_sum / rss_n / 1024)); rss_max=$((rss_max / 1024))
echo "console CPU ${cpu_pct}% of one core, RSS avg ${rss_avg} MB max ${rss_max} MB; $up"

# the fleet page's server time: time to first byte on loopback, logged in as the viewer
jar="$WORK/cookies"
csrf=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$CONSOLE_PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=viewer&password=viewer&_csrf=$csrf" "http://127.0.0.1:$CONSOLE_PORT/login"
rows=$(curl -s -b "$jar" "http://127.0.0.1:$CONSOLE_PORT/" | grep -c 'data-node=' || true)
# the page's code path is cold until now (the poll loop is warm): render it a few times before timing it
for ((i = 0; i < 20; i++)); do curl -s -b "$jar" -o /dev/null "http://127.0.0.1:$CONSOLE_PORT/"; done
for ((i = 0; i < PAGE_REQUESTS; i++)); do
  curl -s -b "$jar" -o /dev/null -w '%{time_starttransfer}\n' "http://127.0.0.1:$CONSOLE_PORT/"
done | sort -n >"$WORK/times"
median=$(awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] * 1000}' "$WORK/times")
p95=$(awk '{a[NR] = $1} END {printf "%.1f", a[int(NR * 0.95)] * 1000}' "$WORK/times")
echo "fleet page ($rows node rows): median ${median} ms, p95 ${p95} ms over $PAGE_REQUESTS requests"
# the whole page, not only its first byte: 50 rows a page whatever the fleet's size
page_total=$(for ((i = 0; i < 20; i++)); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$CONSOLE_PORT/"; done \
  | sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] * 1000}')
page_bytes=$(curl -s -b "$jar" "http://127.0.0.1:$CONSOLE_PORT/" | wc -c)
# Prometheus: one scrape of every node's series, its time and size
for ((i = 0; i < 3; i++)); do curl -s -o /dev/null "http://127.0.0.1:$CONSOLE_PORT/actuator/prometheus"; done
for ((i = 0; i < 10; i++)); do
  curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$CONSOLE_PORT/actuator/prometheus"
done | sort -n >"$WORK/scrapes"
scrape_ms=$(awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] * 1000}' "$WORK/scrapes")
scrape_kb=$(awk 'END {printf "%.0f", $2 / 1024}' "$WORK/scrapes")
scrape_series=$(curl -s "http://127.0.0.1:$CONSOLE_PORT/actuator/prometheus" | grep -vc '^#' || true)
heap_mb=$("$JAVA_HOME/bin/jstat" -gc "$console_pid" 2>/dev/null | awk 'NR == 2 {printf "%.0f", ($3 + $4 + $6 + $8) / 1024}')
echo "whole fleet page: median ${page_total} ms, ${page_bytes} bytes; prometheus: median ${scrape_ms} ms, ${scrape_kb} KiB, $scrape_series samples; heap used now ${heap_mb:-?} MB"

# first paint in a real browser (headless chromium), when it is installed
paint="not measured (no chromium/chromedriver)"
if [[ -x /usr/bin/chromedriver && -x /usr/bin/chromium ]]; then
  bench/console/first-paint.sh "http://127.0.0.1:$CONSOLE_PORT" 10 >"$WORK/paint" 2>&1 || true
  paint=$(grep '^first-paint median' "$WORK/paint" | sed 's/^first-paint median: //' || true)
  [[ -n $paint ]] || paint="failed: $(tail -1 "$WORK/paint")"
fi
echo "browser: $paint"

{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores"
  echo
  echo "${#addresses[@]} addresses ($NODES node processes × $PORTS_PER_NODE ports), 2 s interval, ${WARMUP} s warm-up, ${MEASURE} s measured; console JVM options: '${CONSOLE_JAVA_OPTS:-defaults}'; nodes $up${down_reasons:+ (down: $down_reasons)}; machine load average at start/end of the measurement: $load_start / $(cut -d' ' -f1 /proc/loadavg)"
  echo
  echo "| console CPU (% of one core) | RSS avg | RSS max | heap used | fleet page first byte median / p95 | whole page median | rows shown | Prometheus scrape median | scrape size | samples |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| $cpu_pct | $rss_avg MB | $rss_max MB | ${heap_mb:-?} MB | $median / $p95 ms | $page_total ms | $rows | $scrape_ms ms | $scrape_kb KiB | $scrape_series |"
  echo
  echo "Fleet page in headless chromium, median of 10 fresh loads (ms from navigation start): $paint"
} >>"$OUT"
echo "appended to $OUT"
