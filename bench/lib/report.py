#!/usr/bin/python3
"""Parses memaslap output and turns the per-run table of bench/run.sh into Markdown.

`parse FILE` prints `name value` lines for one memaslap run.
`summary RUNS_TSV` prints the Markdown result tables (medians, node/memcached ratios, every run).
`replication RUNS_TSV` prints bench/replication.sh's table (medians per peer count, ratio to 0 peers, lag).

Latency percentiles: memaslap only keeps a log2 histogram, where bucket k counts latencies in
(2^(k-1), 2^k] microseconds. p50/p99 are interpolated geometrically inside the bucket that holds
them, so they are estimates good to the shape of one bucket; the average is exact.
"""
import csv
import math
import re
import statistics
import sys


def parse_memaslap(text):
    out = {}
    m = re.search(r"Run time: ([\d.]+)s Ops: (\d+) TPS: (\d+)", text)
    if m:
        out["run_s"], out["ops"], out["ops_s"] = m.group(1), m.group(2), m.group(3)
    m = re.search(r"^get_misses: (\d+)", text, re.M)
    if m:
        out["client_get_misses"] = m.group(1)
    m = re.search(r"^cmd_get: (\d+)", text, re.M)
    if m:
        out["client_cmd_get"] = m.group(1)
    # With -S 1s memcaslap prints a "Total Statistics" table every second; its Period row is that
    # second's throughput. Their spread shows stalls (GC pauses, neighbours) that a mean hides.
    per_sec = [int(m.group(1)) for m in re.finditer(
        r"^Total Statistics\n[^\n]*\nPeriod\s+\d+\s+\d+\s+(\d+)", text, re.M)]
    if len(per_sec) >= 2:
        mean = statistics.mean(per_sec)
        out["sec_min"] = str(min(per_sec))
        out["sec_cv_pct"] = f"{100 * statistics.pstdev(per_sec) / mean:.0f}" if mean else "0"
    block = text.split("Total Statistics (", 1)
    if len(block) == 2:
        body = block[1]
        m = re.search(r"Avg:\s+(\d+)", body)
        if m:
            out["avg_us"] = m.group(1)
        hist = {}
        dist = body.split("Log2 Dist:", 1)
        if len(dist) == 2:
            for line in dist[1].splitlines()[1:]:
                line = line.strip()
                if not line:
                    break
                base, _, counts = line.partition(":")
                for i, c in enumerate(counts.split()):
                    hist[int(base) + i] = int(c)
        if hist:
            out["p50_us"] = f"{percentile(hist, 0.50):.0f}"
            out["p99_us"] = f"{percentile(hist, 0.99):.0f}"
    return out


def percentile(hist, q):
    total = sum(hist.values())
    target = q * total
    cum = 0
    for k in sorted(hist):
        c = hist[k]
        if c and cum + c >= target:
            if k == 0:
                return 1.0
            frac = (target - cum) / c
            return 2 ** (k - 1) * 2 ** frac
        cum += c
    return float(2 ** max(hist))


def cmd_parse(path):
    with open(path, errors="replace") as f:
        for k, v in parse_memaslap(f.read()).items():
            print(k, v)


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def med_of(rows, key):
    """The median of column `key` over TSV rows, skipping empty and dash cells."""
    return med(num(r[key]) for r in rows)


def fmt(v, digits=0):
    if v is None:
        return "—"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


# Two-sided 95 % Student t quantiles by degrees of freedom (1..10); 2.0 beyond.
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23}


def mean_ci(ratios):
    """Geometric mean of per-pair ratios and its 95 % confidence interval (t on log ratios)."""
    logs = [math.log(r) for r in ratios]
    mean = statistics.mean(logs)
    if len(logs) < 2:
        return math.exp(mean), None, None
    half = T95.get(len(logs) - 1, 2.0) * statistics.stdev(logs) / math.sqrt(len(logs))
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half)


WORKLOAD_NAMES = {"get90": "90% get / 10% set", "set100": "100% set"}


def cmd_summary(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    configs = []
    for r in rows:
        key = (r["threads"], r["workload"])
        if key not in configs:
            configs.append(key)

    print("| server -t | workload | memcached ops/s | node ops/s | **node/memcached** | per-pair ratios | "
          "mean of pairs (95 % CI) | memcached avg / p50 / p99 µs | node avg / p50 / p99 µs | "
          "p99 node/memcached |")
    print("|---|---|---:|---:|---:|---|---|---|---|---:|")
    spreads = []
    for threads, workload in configs:
        sel = [r for r in rows if r["threads"] == threads and r["workload"] == workload]
        # A pair counts when both its runs produced a result; disturbed pairs (other processes
        # took CPU during them) count only when there is no clean pair at all.
        pairs = []
        for rep in sorted({r["rep"] for r in sel}, key=int):
            p = {r["subject"]: r for r in sel if r["rep"] == rep}
            if all(s in p and p[s]["status"].startswith("ok") and num(p[s]["ops_s"]) for s in ("memcached", "node")):
                clean = all(p[s]["status"] == "ok" for s in ("memcached", "node"))
                pairs.append((clean, p))
        used = [p for c, p in pairs if c] or [p for c, p in pairs]
        m = {s: {k: med(num(p[s][k]) for p in used) for k in ("ops_s", "avg_us", "p50_us", "p99_us")}
             for s in ("memcached", "node")}
        ratios = [(c, num(p["node"]["ops_s"]) / num(p["memcached"]["ops_s"])) for c, p in pairs]
        pr = ", ".join(f"{v:.2f}" if c else f"({v:.2f}*)" for c, v in ratios) if ratios else "—"
        used_r = [v for c, v in ratios if c] or [v for c, v in ratios]
        if len(used_r) >= 2:
            spreads.append((threads, workload, min(used_r), max(used_r)))
        ci = "—"
        if used_r:
            g, lo, hi = mean_ci(used_r)
            ci = f"{g:.2f}" + (f" ({lo:.2f}–{hi:.2f})" if lo is not None else "")
        lat = lambda s: f"{fmt(m[s]['avg_us'])} / {fmt(m[s]['p50_us'])} / {fmt(m[s]['p99_us'])}"
        failed = sum(1 for r in sel if not r["status"].startswith("ok"))
        noisy = sum(1 for c, p in pairs if not c)
        note = f" ({failed} failed run{'s' if failed > 1 else ''})" if failed else ""
        note += f" ({noisy} disturbed pair{'s' if noisy > 1 else ''})" if noisy else ""
        print(f"| {threads} | {WORKLOAD_NAMES.get(workload, workload)}{note} | {fmt(m['memcached']['ops_s'])} | "
              f"{fmt(m['node']['ops_s'])} | **{fmt(ratio(m['node']['ops_s'], m['memcached']['ops_s']), 2)}** | "
              f"{pr} | {ci} | {lat('memcached')} | {lat('node')} | "
              f"{fmt(ratio(m['node']['p99_us'], m['memcached']['p99_us']), 2)} |")
    print()
    print("Medians over the repeats; the ratio is median(node) / median(memcached). Per-pair ratios "
          "divide the two runs of one repeat (same minutes, so they share the machine's background); "
          "their spread is the noise of the measurement. The mean of pairs is their geometric mean "
          "with a 95 % confidence interval (Student t on the log ratios): an interval that contains "
          "1.00 means no difference was shown. A ratio marked * comes from a pair that other "
          "processes disturbed even after re-measuring; such pairs are left out of the medians unless "
          "no clean pair exists.")
    if spreads:
        widest = max(spreads, key=lambda s: s[3] - s[2])
        print(f"Widest per-pair spread: {widest[2]:.2f}–{widest[3]:.2f} "
              f"(-t {widest[0]}, {WORKLOAD_NAMES.get(widest[1], widest[1])}).")
    print()
    print("<details><summary>Every run</summary>")
    print()
    print("| -t | workload | repeat | order | server | ops/s | avg µs | p50 µs | p99 µs | get hit % "
          "| 1-s ops/s CV % | worst 1-s ops/s | server CPU idle % | client CPU idle % "
          "| other load (% of a core) | status |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['threads']} | {r['workload']} | {r['rep']} | {r['order']} | {r['subject']} | "
              f"{fmt(num(r['ops_s']))} | {fmt(num(r['avg_us']))} | {fmt(num(r['p50_us']))} | "
              f"{fmt(num(r['p99_us']))} | {r['hit_pct']} | {r.get('sec_cv_pct', '—')} | "
              f"{fmt(num(r.get('sec_min')))} | {r['server_cpu_idle_pct']} | {r['client_cpu_idle_pct']} | "
              f"{r['other_cpu_pct']} | {r['status']} |")
    print()
    print("</details>")


def replication_summary(path):
    """The Markdown table of bench/replication.sh's runs.tsv: medians per peer count, ratio to 0 peers."""
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    if not rows:
        print("No closed-loop runs (REPEATS=0).")
        return
    ok = [r for r in rows if r["status"] == "ok"]
    def fmt(x, d=0):
        return "—" if x is None else f"{x:,.{d}f}"
    base = med_of([r for r in ok if r["peers"] == "0"], "ops_s")
    cpu = "a_us_per_set" in rows[0]  # runs.tsv files from before the CPU columns have none
    base_a = med_of([r for r in ok if r["peers"] == "0"], "a_us_per_set") if cpu else None
    print("| peers | ops/s (median) | **ratio vs 0 peers** | runs (ops/s) | p99 µs | A's lag_ms p50 / p99 / max | probe lag ms p50 / p99 / max | peers' CPU % of a core "
          "| A's CPU µs per set (**vs 0 peers**) | group's CPU µs per set |")
    print("|---:|---:|---:|---|---:|---|---|---:|---:|---:|")
    for p in sorted({r["peers"] for r in rows}, key=int):
        rs = [r for r in ok if r["peers"] == p]
        ops = med_of(rs, "ops_s")
        ratio = f"**{ops / base:.2f}**" if ops and base else "—"
        each = ", ".join(f"{int(r['ops_s']):,}" for r in rs)
        lag = "—" if p == "0" else f"{fmt(med_of(rs, 'lag_ms_p50'))} / {fmt(med_of(rs, 'lag_ms_p99'))} / {fmt(med_of(rs, 'lag_ms_max'))}"
        probe = "—" if p == "0" else f"{fmt(med_of(rs, 'probe_p50_ms'), 2)} / {fmt(med_of(rs, 'probe_p99_ms'), 2)} / {fmt(med_of(rs, 'probe_max_ms'), 2)}"
        a_us = med_of(rs, "a_us_per_set") if cpu else None
        g_us = med_of(rs, "group_us_per_set") if cpu else None
        a_cell = fmt(a_us, 2) + (f" (**{a_us / base_a:.2f}**)" if a_us and base_a else "")
        print(f"| {p} | {fmt(ops)} | {ratio} | {each} | {fmt(med_of(rs, 'p99_us'))} | {lag} | {probe} | {fmt(med_of(rs, 'peer_cpu_pct'))} "
              f"| {a_cell} | {fmt(g_us, 2)} |")
    bad = [r for r in rows if r["status"] != "ok"]
    print()
    print("Medians over the runs. `lag_ms` is A's own `stats replication` figure for its stream to each peer, sampled every "
          "100 ms during the measured run (the worse peer's percentile); the probe lag is what a client sees: a key set on A "
          "every 100 ms and read on B (polled every 0.5 ms) from A's STORED until B returns it. CPU per set: utime + stime "
          "from /proc/<pid>/stat over the measured run, divided by the client sets A counted (`cmd_set`); the group's adds "
          "every peer's ticks. Probe misses (not on B within 10 s): "
          + str(sum(int(r["probe_missed"]) for r in ok if r["probe_missed"] not in ("", "—", "-"))) + ".")
    if bad:
        print()
        print("Failed runs: " + "; ".join(f"{r['peers']} peers rep {r['rep']}: {r['status']}" for r in bad))


def rates_summary(path):
    """The Markdown table of bench/replication.sh's rates.tsv: CPU per set at one fixed rate, per peer count."""
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    if not rows:
        print("No fixed-rate runs.")
        return
    ok = [r for r in rows if r["status"] == "ok"]
    def cell(x, base, d=2):
        if x is None:
            return "—"
        return f"{x:,.{d}f}" + (f" (**{x / base:.2f}**)" if base else "")
    base_a = med_of([r for r in ok if r["peers"] == "0"], "a_us_per_set")
    pair = med_of([r for r in ok if r["peers"] == "1"], "group_us_per_set")
    print("| peers | sets/s achieved | p99 µs | A's CPU µs per set (**vs 0 peers**) | A's runs | group's CPU µs per set "
          "| per node (**vs a pair's per node**) |")
    print("|---:|---:|---:|---:|---|---:|---:|")
    for p in sorted({r["peers"] for r in rows}, key=int):
        rs = [r for r in ok if r["peers"] == p]
        a = med_of(rs, "a_us_per_set")
        g = med_of(rs, "group_us_per_set")
        nodes = int(p) + 1
        per_node = g / nodes if g is not None else None
        vs_pair = pair / 2 if pair and p not in ("0", "1") else None
        each = ", ".join(r["a_us_per_set"] for r in rs)
        ops = med_of(rs, "ops_s")
        p99 = med_of(rs, "p99_us")
        print(f"| {p} | {'—' if ops is None else f'{ops:,.0f}'} | {'—' if p99 is None else f'{p99:,.0f}'} "
              f"| {cell(a, base_a)} | {each} | {'—' if g is None else f'{g:,.2f}'} | {cell(per_node, vs_pair)} |")
    bad = [r for r in rows if r["status"] != "ok"]
    if bad:
        print()
        print("Left out: " + "; ".join(f"{r['peers']} peers rep {r['rep']}: {r['status']}" for r in bad))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("parse", "summary", "replication", "rates"):
        print(__doc__, file=sys.stderr)
        return 2
    {"parse": cmd_parse, "summary": cmd_summary, "replication": replication_summary, "rates": rates_summary}[sys.argv[1]](sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
