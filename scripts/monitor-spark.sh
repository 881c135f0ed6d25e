#!/usr/bin/env bash
# Runs the stapelingsmonitor's SQL (monitor/sql/*.sql) with PySpark in local mode and
# checks that Spark's tables, protected with the same rule, equal Baken's report.json
# (CBS rule and suppression with threshold 10): for the CBS rule protected in Python,
# and for both also by `baken monitor protect` on Spark's counts, so that the same
# cells must be hidden.
#
#   scripts/monitor-spark.sh                 # synthetic region of ROWS rows (default 200000)
#   ROWS=1000000 scripts/monitor-spark.sh
#   LINKED=linked.parquet REPORTS="a/report.json b/report.json" scripts/monitor-spark.sh
#
# Needs Java 17 and Python 3; installs pyspark into $HOME/.cache/baken-monitor/spark-venv.
# Exit status 0 when every report matches.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${BAKEN_MONITOR_CACHE:-$HOME/.cache/baken-monitor}
VENV=$CACHE/spark-venv
ROWS=${ROWS:-200000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/baken-target}

mkdir -p "$CACHE"
if ! "$VENV/bin/python" -c 'import pyspark' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'pyspark==3.5.*'
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# `baken monitor` (built on its own as monitor_cli), for the data and for protecting
# Spark's counts with Baken's own rule; BAKEN='baken monitor' uses an installed baken.
(cd "$ROOT" && cargo build --release --quiet -p baken-monitor --example monitor_cli)
BIN=$CARGO_TARGET_DIR/release/examples
BAKEN=${BAKEN:-$BIN/monitor_cli}
if [[ -z "${LINKED:-}" ]]; then
  echo "== synthetic region: $ROWS rows" >&2
  "$BIN/monitor_cli" demo-files --rows "$ROWS" --out "$WORK/raw" 2>/dev/null
  "$BIN/monitor_cli" keygen --out "$WORK/monitor.key" 2>/dev/null
  for f in "$WORK"/raw/org*.csv; do
    name=$(basename "$f" .csv)
    "$BIN/monitor_cli" pseudonymise --key "$WORK/monitor.key" --org "$name" "$f" --out "$WORK/p-$name.csv" 2>/dev/null
  done
  rm "$WORK/monitor.key"   # the linking party never holds the key
  "$BIN/monitor_cli" link "$WORK"/p-*.csv --out "$WORK/linked.parquet"
  "$BIN/monitor_cli" report "$WORK/linked.parquet" --out "$WORK/cbs"
  "$BIN/monitor_cli" report "$WORK/linked.parquet" --out "$WORK/suppress" --protection suppress --threshold 10
  LINKED=$WORK/linked.parquet
  REPORTS="$WORK/cbs/report.json $WORK/suppress/report.json"
fi

compare=()
for r in $REPORTS; do compare+=(--compare "$r"); done
echo "== Spark $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)') (local mode)" >&2
start=$(date +%s)
"$VENV/bin/python" "$ROOT/monitor/sql/spark_tables.py" --master 'local[2]' \
  --input "$LINKED" --sql "$ROOT/monitor/sql" --baken "$BAKEN" "${compare[@]}"
echo "== Spark check took $(( $(date +%s) - start )) s" >&2
