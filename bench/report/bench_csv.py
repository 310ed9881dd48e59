"""Reading the benchmark CSV (schema in docs/benchmarks.md), shared by tables.py and plots.py."""
import csv

COLUMNS = ("system,version,store,scenario,concurrency,jobs,seconds,jobs_per_sec,p50_ms,p90_ms,"
           "p99_ms,max_ms,rss_mb,cpu_s_per_1k,round_trips_per_job,bytes_per_job,notes").split(",")
NUMERIC = COLUMNS[4:16]
THROUGHPUT = ("enqueue_single", "enqueue_bulk", "process")
LATENCY = ("latency_idle", "latency_loaded")
STORES = ("redis", "postgres", "sqlite")


def number(text):
    """A CSV cell as a float, or None when empty or not a number."""
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def load(path):
    """Rows as dicts with numbers parsed; repeated header lines are skipped. Each row gets a
    `label`: its system, plus " tuned" when its notes begin with "tuned" (a peer measured
    with settings other than its defaults). When the same label, store, scenario and
    concurrency appear twice, the later row wins."""
    rows = {}
    with open(path, newline="") as f:
        for raw in csv.DictReader(f, fieldnames=COLUMNS, restkey="extra"):
            if raw["system"] in ("system", None) or not raw["scenario"]:
                continue
            row = dict(raw)
            for column in NUMERIC:
                row[column] = number(raw.get(column))
            row["concurrency"] = int(row["concurrency"]) if row["concurrency"] is not None else 0
            tuned = (row["notes"] or "").strip().lower().startswith("tuned")
            row["label"] = row["system"] + (" tuned" if tuned else "")
            key = (row["label"], row["store"], row["scenario"], row["concurrency"])
            rows[key] = row
    return list(rows.values())


def systems_of(rows):
    """The labels: errand first, then the others in order of appearance."""
    seen = []
    for row in rows:
        if row["label"] not in seen:
            seen.append(row["label"])
    return sorted(seen, key=lambda s: (s != "errand", seen.index(s)))


def find(rows, label, store, scenario, concurrency):
    for row in rows:
        if (row["label"], row["store"], row["scenario"], row["concurrency"]) == (label, store, scenario, concurrency):
            return row
    return None
