#!/usr/bin/env bash
# Turns the benchmark CSV into Markdown tables and plots.
#   bash bench/report/report.sh CSV OUTDIR [SAMPLES_DIR]
# Writes OUTDIR/results.md (tables per scenario and store, peers side by side, ratios,
# the issue's targets), OUTDIR/throughput.{svg,png} and OUTDIR/enqueue.{svg,png}
# (jobs/s vs concurrency), and OUTDIR/latency_cdf.{svg,png} and
# OUTDIR/latency_cdf_loaded.{svg,png} from SAMPLES_DIR's files
# <system>_<store>_<scenario>_c<concurrency>.txt (one latency in ms per line).
# Needs python3 (standard library only); plots need gnuplot (Debian: gnuplot-nox).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
csv=${1:?usage: report.sh CSV OUTDIR [SAMPLES_DIR]}
out=${2:?usage: report.sh CSV OUTDIR [SAMPLES_DIR]}
samples=${3:-$(dirname "$csv")/samples}
[ -s "$csv" ] || { echo "report: $csv is missing or empty" >&2; exit 1; }
command -v python3 >/dev/null || { echo "report: python3 is needed (apt-get install python3)" >&2; exit 1; }
mkdir -p "$out"

python3 "$here/tables.py" "$csv" >"$out/results.md"
echo "report: $out/results.md"

if ! command -v gnuplot >/dev/null; then
  echo "report: gnuplot is not installed (apt-get install gnuplot-nox); no plots" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/plots.py" "$csv" "$samples" "$work" "$out"
for script in "$work"/*.gp; do
  gnuplot "$script"
done
ls "$out"/*.svg "$out"/*.png 2>/dev/null | sed 's/^/report: /'
