"""Markdown tables from the benchmark CSV: python3 tables.py CSV > results.md

For each scenario and store: the systems side by side per concurrency, with errand's
ratio to each peer, then every measured column; the servers' ceilings; and the issue's
targets, each with the measurement that meets or misses it. Writes only what the CSV holds.
"""
import os
import sys

from bench_csv import LATENCY, STORES, THROUGHPUT, find, load, systems_of

TITLES = {
    "enqueue_single": "Enqueue, one job per call (jobs/s)",
    "enqueue_bulk": "Enqueue in bulk, 1000 jobs per call (jobs/s)",
    "process": "Process no-op jobs (jobs/s)",
    "latency_idle": "Pickup latency, idle processor (ms, enqueue call → perform start)",
    "latency_loaded": "Pickup latency under load (ms, urgent queue while a backlog drains)",
}


def fmt(value, digits=1):
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


TEXT_COLUMNS = {"system", "version", "notes", "target (issue P4)", "measured", "met", "store", "scenario"}


def table(header, lines):
    rule = "|".join("---" if name in TEXT_COLUMNS or i == 0 else "---:" for i, name in enumerate(header))
    out = ["| " + " | ".join(header) + " |", "|" + rule + "|"]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return "\n".join(out) + "\n"


def side_by_side(rows, scenario, store):
    """Per concurrency: each system's headline number, then errand's ratio to each peer."""
    systems = [s for s in systems_of(rows) if any(r["label"] == s and r["store"] == store and r["scenario"] == scenario for r in rows)]
    peers = [s for s in systems if s != "errand"]
    latency = scenario in LATENCY
    metric = "p99_ms" if latency else "jobs_per_sec"
    header = ["concurrency"] + [f"{s} {'p99' if latency else 'jobs/s'}" for s in systems]
    header += [f"{'peer ÷ errand' if latency else 'errand ÷'} {p}" for p in peers if "errand" in systems]
    lines = []
    for c in sorted({r["concurrency"] for r in rows if r["store"] == store and r["scenario"] == scenario}):
        values = {s: (find(rows, s, store, scenario, c) or {}).get(metric) for s in systems}
        cells = [str(c)] + [fmt(values[s], 2 if latency else 0) for s in systems]
        if "errand" in systems:
            for p in peers:
                e, v = values["errand"], values[p]
                ratio = (v / e if latency else e / v) if e and v else None
                cells.append(f"{ratio:.1f}×" if ratio else "")
        lines.append(cells)
    return table(header, lines)


def details(rows, scenario, store):
    selected = sorted((r for r in rows if r["store"] == store and r["scenario"] == scenario),
                      key=lambda r: (r["label"] != "errand", r["label"], r["concurrency"]))
    header = ["system", "version", "concurrency", "jobs", "seconds"]
    header += ["p50", "p90", "p99", "max"] if scenario in LATENCY else ["jobs/s"]
    header += ["RSS MB", "CPU s/1k jobs", "round trips/job", "bytes/job", "notes"]
    lines = []
    for r in selected:
        cells = [r["label"], r["version"] or "", str(r["concurrency"]), fmt(r["jobs"], 0), fmt(r["seconds"], 2)]
        if scenario in LATENCY:
            cells += [fmt(r[k], 2) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
        else:
            cells.append(fmt(r["jobs_per_sec"], 0))
        cells += [fmt(r["rss_mb"]), fmt(r["cpu_s_per_1k"], 3), fmt(r["round_trips_per_job"], 2),
                  fmt(r["bytes_per_job"], 0), (r["notes"] or "").replace("|", "/")]
        lines.append(cells)
    return table(header, lines)


def best_ratio(rows, store, scenario, peer):
    """errand's lowest jobs/s ratio to `peer` over the concurrencies both measured, with its concurrency."""
    ratios = []
    for r in rows:
        if r["label"] == "errand" and r["store"] == store and r["scenario"] == scenario and r["jobs_per_sec"]:
            p = find(rows, peer, store, scenario, r["concurrency"])
            if p and p["jobs_per_sec"]:
                ratios.append((r["jobs_per_sec"] / p["jobs_per_sec"], r["concurrency"]))
    return min(ratios) if ratios else None


def targets(rows):
    lines = []
    for store, scenario, peer, goal in (("redis", "process", "sidekiq", 10), ("redis", "process", "bullmq", 5),
                                        ("redis", "enqueue_single", "sidekiq", 2), ("redis", "enqueue_bulk", "sidekiq", 2),
                                        ("postgres", "process", "graphile-worker", 5), ("postgres", "process", "pg-boss", 5)):
        # The target is against the peer's defaults; its tuned settings, when measured, are shown too.
        for label in (peer, peer + " tuned"):
            worst = best_ratio(rows, store, scenario, label)
            if label != peer and not worst:
                continue
            measured = f"{worst[0]:.1f}× (lowest, at concurrency {worst[1]})" if worst else "not measured"
            met = "" if not worst else ("yes" if worst[0] >= goal else "**no**")
            lines.append([f"{store} {scenario} ≥ {goal}× {label}", measured, met if label == peer else met + " (not the target)"])
    # Postgres: at least 3x the best tuned peer at each concurrency.
    ratios = []
    for r in rows:
        if r["label"] == "errand" and r["store"] == "postgres" and r["scenario"] == "process" and r["jobs_per_sec"]:
            tuned = [p["jobs_per_sec"] for p in (find(rows, peer + " tuned", "postgres", "process", r["concurrency"])
                                                 for peer in ("graphile-worker", "pg-boss")) if p and p["jobs_per_sec"]]
            if tuned:
                ratios.append((r["jobs_per_sec"] / max(tuned), r["concurrency"]))
    worst = min(ratios) if ratios else None
    lines.append(["postgres process ≥ 3× the best tuned peer",
                  f"{worst[0]:.1f}× (lowest, at concurrency {worst[1]})" if worst else "not measured",
                  "" if not worst else ("yes" if worst[0] >= 3 else "**no**")])
    # The servers' ceilings: at least half of the best ceiling measured for the pattern.
    for store, tool, scenarios, what in (
            ("redis", "redis-benchmark", ("ceiling_errand_mix_process_batched",), "redis-benchmark ceiling of its command mix"),
            ("postgres", "pgbench", ("ceiling_skip_locked_dequeue", "ceiling_skip_locked_dequeue_b10",
                                     "ceiling_skip_locked_dequeue_b100"), "best pgbench SKIP LOCKED ceiling")):
        ratios = []
        for r in rows:
            if r["label"] == "errand" and r["store"] == store and r["scenario"] == "process" and r["jobs_per_sec"]:
                ceilings = [c["jobs_per_sec"] for c in (find(rows, tool, store, sc, r["concurrency"]) for sc in scenarios)
                            if c and c["jobs_per_sec"]]
                if ceilings:
                    ratios.append((r["jobs_per_sec"] / max(ceilings), r["concurrency"]))
        worst = min(ratios) if ratios else None
        lines.append([f"{store} process ≥ 50% of the {what}",
                      f"{100 * worst[0]:.0f}% (lowest, at concurrency {worst[1]})" if worst else "not measured",
                      "" if not worst else ("yes" if worst[0] >= 0.5 else "**no**")])
    for store, limit in (("redis", 5), ("sqlite", 5), ("postgres", 10)):
        p99 = [r["p99_ms"] for r in rows if r["label"] == "errand" and r["store"] == store
               and r["scenario"] == "latency_idle" and r["p99_ms"] is not None]
        measured = f"{max(p99):.2f} ms (worst over concurrencies)" if p99 else "not measured"
        lines.append([f"{store} idle pickup p99 < {limit} ms", measured, "" if not p99 else ("yes" if max(p99) < limit else "**no**")])
    for store in STORES:
        r = find(rows, "errand", store, "process", 25)
        measured = f"{r['rss_mb']:.1f} MB" if r and r["rss_mb"] else "not measured"
        lines.append([f"{store} processor RSS at concurrency 25 < 15 MB", measured,
                      "" if not (r and r["rss_mb"]) else ("yes" if r["rss_mb"] < 15 else "**no**")])
    return table(["target (issue P4)", "measured", "met"], lines)


def main(path):
    rows = load(path)
    print(f"<!-- Generated by bench/report/report.sh from {path}; do not edit by hand. -->\n")
    if os.environ.get("BENCH_SMOKE") == "1":
        print("**A smoke run (bench/run.sh --smoke): tiny job counts, start-up costs dominate; these numbers mean nothing.**\n")
    print("## Targets\n")
    print(targets(rows))
    for scenario in THROUGHPUT + LATENCY:
        stores = [s for s in STORES if any(r["store"] == s and r["scenario"] == scenario for r in rows)]
        if not stores:
            continue
        print(f"## {TITLES[scenario]}\n")
        for store in stores:
            print(f"### {scenario} — {store}\n")
            print(side_by_side(rows, scenario, store))
            print(details(rows, scenario, store))
    ceilings = [r for r in rows if r["scenario"].startswith("ceiling_")]
    if ceilings:
        print("## Server ceilings\n")
        print(table(["system", "store", "scenario", "concurrency", "jobs/s", "p50", "p99", "notes"],
                    [[r["label"], r["store"], r["scenario"], str(r["concurrency"]), fmt(r["jobs_per_sec"], 0),
                      fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), (r["notes"] or "").replace("|", "/")]
                     for r in sorted(ceilings, key=lambda r: (r["store"], r["scenario"], r["concurrency"]))]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tables.py CSV")
    main(sys.argv[1])
