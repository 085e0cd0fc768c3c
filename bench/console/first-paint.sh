#!/usr/bin/env bash
# The fleet page's first paint in a real browser: Debian's headless chromium driven by chromedriver's WebDriver
# HTTP API (curl, no client library), logged in as the viewer. Each load is a fresh navigation; the browser's own
# Performance API gives the times (from navigation start): first byte, first contentful paint, DOMContentLoaded,
# load, and the moment the group charts (uPlot, filled from /api/history/group) are all drawn.
#
#   bench/console/first-paint.sh http://127.0.0.1:40999 [loads]
# Prints one line per load and a median line "first-paint median: fcp=… ms charts=… ms".
set -euo pipefail

BASE=${1:?console base URL}
LOADS=${2:-10}
DRIVER_PORT=${DRIVER_PORT:-9515}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PY=/usr/bin/python3

[[ -x $CHROMEDRIVER && -x $CHROMIUM ]] || { echo "first-paint: needs $CHROMIUM and $CHROMEDRIVER (apt-get install chromium chromium-driver)" >&2; exit 2; }

"$CHROMEDRIVER" --port="$DRIVER_PORT" >/dev/null 2>&1 &
driver_pid=$!
session=
cleanup() {
  [[ -n $session ]] && curl -s -X DELETE "http://127.0.0.1:$DRIVER_PORT/session/$session" >/dev/null || true
  kill "$driver_pid" 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null && break; sleep 0.1; done

wd() { # method path [json]: the reply's "value", as JSON
  curl -sf -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$DRIVER_PORT$2" \
    | "$PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["value"]))'
}

session=$(wd POST /session "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"goog:chromeOptions\":{\"binary\":\"$CHROMIUM\",\"args\":[\"--headless=new\",\"--no-sandbox\",\"--disable-gpu\",\"--disable-dev-shm-usage\",\"--window-size=1400,1000\"]}}}}" \
  | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["sessionId"])')
s=/session/$session

wd POST "$s/url" "{\"url\":\"$BASE/login\"}" >/dev/null
wd POST "$s/execute/sync" '{"script":"document.getElementById(\"username\").value=\"viewer\";document.getElementById(\"password\").value=\"viewer\";document.querySelector(\"form\").submit();","args":[]}' >/dev/null
sleep 1

# waits (inside the page) until every open group-charts block has its 7 charts, then reports the timings
measure='const done = arguments[arguments.length - 1];
const ready = () => { const open = document.querySelectorAll("details.group-charts[open]");
  return [...open].every(d => d.querySelectorAll(".uplot").length >= 7); };
const report = () => { const n = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  done({ttfb: n.responseStart, fcp: fcp ? fcp.startTime : -1, dcl: n.domContentLoadedEventEnd,
        load: n.loadEventEnd, charts: performance.now(), rows: document.querySelectorAll("[data-node]").length}); };
const t0 = performance.now();
(function wait() { if (ready() || performance.now() - t0 > 20000) { setTimeout(report, 0); } else { setTimeout(wait, 10); } })();'
script=$("$PY" -c 'import json, sys; print(json.dumps({"script": sys.argv[1], "args": []}))' "$measure")
wd POST "$s/timeouts" '{"script":30000}' >/dev/null

results=()
for ((i = 0; i < LOADS; i++)); do
  wd POST "$s/url" "{\"url\":\"$BASE/\"}" >/dev/null
  r=$(wd POST "$s/execute/async" "$script")
  echo "load $((i + 1)): $r"
  results+=("$r")
done
printf '%s\n' "${results[@]}" | "$PY" -c '
import json, sys, statistics
rs = [json.loads(l) for l in sys.stdin if l.strip()]
m = lambda k: statistics.median(r[k] for r in rs)
print("first-paint median: ttfb=%.0f ms fcp=%.0f ms dcl=%.0f ms load=%.0f ms charts=%.0f ms rows=%d over %d loads"
      % (m("ttfb"), m("fcp"), m("dcl"), m("load"), m("charts"), rs[0]["rows"], len(rs)))'
