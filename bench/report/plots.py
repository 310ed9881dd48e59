"""gnuplot scripts and their data from the benchmark CSV and latency samples:
python3 plots.py CSV SAMPLES_DIR WORK_DIR OUT_DIR, then gnuplot WORK_DIR/*.gp.

throughput.svg/.png: process jobs/s vs concurrency; enqueue.svg/.png: the same for
enqueue_single; one line per system × store, both axes logarithmic.
latency_cdf.svg/.png (idle) and latency_cdf_loaded.svg/.png: the share of jobs picked up
within x ms, one line per system × store, at concurrency 10 (or the nearest measured).
"""
import os
import re
import sys

from bench_csv import STORES, load, systems_of

SAMPLE_FILE = re.compile(r"^(?P<system>.+)_(?P<store>" + "|".join(STORES) + r")_(?P<scenario>latency_idle|latency_loaded)_c(?P<c>\d+)\.txt$")
PREFERRED_CONCURRENCY = 10


def quoted(path):
    return '"' + path.replace('"', '\\"') + '"'


def script(out_base, title, xlabel, ylabel, plots, logscale, extra=""):
    """A gnuplot script writing OUT_BASE.svg and OUT_BASE.png."""
    body = ", \\\n     ".join(f"{quoted(f)} using 1:2 with {style} title {quoted(t)}" for f, t, style in plots)
    return f"""set terminal svg size 900,540 dynamic noenhanced font "sans,12" background rgb "white"
set output {quoted(out_base + '.svg')}
set title {quoted(title)}
set xlabel {quoted(xlabel)}
set ylabel {quoted(ylabel)}
set logscale {logscale}
set grid
set key outside right top
{extra}
plot {body}
set terminal pngcairo size 900,540 noenhanced font "sans,10" background rgb "white"
set output {quoted(out_base + '.png')}
replot
"""


def line_style(system):
    """errand solid and thick; peers dashed, their tuned runs dotted (colours repeat past eight lines)."""
    if system == "errand":
        return "linespoints lw 3 pt 7"
    return f"linespoints lw 1.5 dt {3 if system.endswith(' tuned') else 2} pt 6"


def throughput(rows, scenario, work, out_base, title):
    plots = []
    for system in systems_of(rows):
        for store in STORES:
            points = sorted((r["concurrency"], r["jobs_per_sec"]) for r in rows
                            if r["label"] == system and r["store"] == store and r["scenario"] == scenario
                            and r["jobs_per_sec"])
            if not points:
                continue
            data = os.path.join(work, f"{scenario}_{system.replace(' ', '_')}_{store}.dat")
            with open(data, "w") as f:
                f.writelines(f"{c} {v}\n" for c, v in points)
            plots.append((data, f"{system} {store}", line_style(system)))
    if not plots:
        return None
    return script(out_base, title, "concurrency (threads)", "jobs/s", plots, "xy", "set xrange [0.8:70]\nset xtics (1, 2, 5, 10, 25, 50)")


def cdf(samples_dir, scenario, work, out_base, title):
    found = {}
    if os.path.isdir(samples_dir):
        for name in os.listdir(samples_dir):
            m = SAMPLE_FILE.match(name)
            if m and m["scenario"] == scenario:
                found.setdefault((m["system"], m["store"]), []).append((int(m["c"]), os.path.join(samples_dir, name)))
    plots = []
    for (system, store), files in sorted(found.items(), key=lambda kv: (kv[0][0] != "errand", kv[0])):
        c, path = min(files, key=lambda cf: (abs(cf[0] - PREFERRED_CONCURRENCY), cf[0]))
        with open(path) as f:
            samples = sorted(float(line) for line in f if line.strip())
        if not samples:
            continue
        data = os.path.join(work, f"cdf_{scenario}_{system}_{store}_{c}.dat")
        with open(data, "w") as f:
            f.writelines(f"{max(ms, 0.001)} {(i + 1) / len(samples)}\n" for i, ms in enumerate(samples))
        plots.append((data, f"{system} {store} (c={c}, n={len(samples)})", "steps lw 2"))
    if not plots:
        return None
    return script(out_base, title, "latency, enqueue call to perform start (ms)", "share of jobs", plots, "x",
                  "set yrange [0:1]\nset ytics 0.1")


def main(csv_path, samples_dir, work, out):
    rows = load(csv_path)
    scripts = {
        "throughput": throughput(rows, "process", work, os.path.join(out, "throughput"),
                                 "Processing no-op jobs: throughput vs concurrency"),
        "enqueue": throughput(rows, "enqueue_single", work, os.path.join(out, "enqueue"),
                              "Enqueue, one job per call: throughput vs concurrency"),
        "latency_cdf": cdf(samples_dir, "latency_idle", work, os.path.join(out, "latency_cdf"),
                           "Pickup latency, idle processor: CDF"),
        "latency_cdf_loaded": cdf(samples_dir, "latency_loaded", work, os.path.join(out, "latency_cdf_loaded"),
                                  "Pickup latency of urgent jobs while a backlog drains: CDF"),
    }
    for name, text in scripts.items():
        if text is None:
            print(f"report: no data for {name}; no plot", file=sys.stderr)
            continue
        with open(os.path.join(work, name + ".gp"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: plots.py CSV SAMPLES_DIR WORK_DIR OUT_DIR")
    main(*sys.argv[1:])
