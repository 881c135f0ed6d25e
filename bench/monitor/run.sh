#!/usr/bin/env bash
# Stapelingsmonitor benchmark, in one run on this machine:
#  (a) pseudonymise throughput against raw HMAC-SHA256 over the same normalised
#      addresses (one core, same process: examples/bench_hmac.rs), and the command's
#      own wall time per row;
#  (b) link + report against DuckDB doing the same join and tables in SQL over the
#      same pseudonymised CSVs (bench/monitor/duckdb_link_report.py, the strongest
#      formulation we could write: typed read_csv, one GROUP BY pass, threads = 2),
#      alternating, $ROUNDS rounds: wall time, CPU time, peak RSS and peak anonymous
#      and file-backed memory (bench/monitor/measure.py), the load average before each
#      round, link's time per phase (and, by its threads' own CPU time, which other
#      load does not inflate: reading, parsing and partitioning, folding, each phase's
#      busiest thread, and so the least wall time on idle cores), the ratios Baken /
#      DuckDB per round, and a check
#      that both give the same tables.
#
#   bench/monitor/run.sh                      # 10,000,000 rows
#   ROWS=1000000 bench/monitor/run.sh         # quicker
#   SKIP_LINK=1 bench/monitor/run.sh          # (a) only: pseudonymise against raw HMAC
#   SKIP_PSEUDONYMISE=1 bench/monitor/run.sh  # (b) only (the pseudonymised files must exist)
#
# Instruction counts (independent of load): bench/monitor/callgrind.sh FILE.csv
#
# Data goes to $BENCH_DIR (default $HOME/.cache/baken-monitor/bench-$ROWS) and is
# reused when present. DuckDB comes from PyPI into $HOME/.cache/baken-monitor/duckdb-venv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROWS=${ROWS:-10000000}
CACHE=${BAKEN_MONITOR_CACHE:-$HOME/.cache/baken-monitor}
DIR=${BENCH_DIR:-$CACHE/bench-$ROWS}
VENV=$CACHE/duckdb-venv
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/baken-target}
# Runs at the caller's priority: on a shared machine, run it at normal priority while
# builds run niced, and read the load averages it records next to every figure.
BIN=$CARGO_TARGET_DIR/release/examples

mkdir -p "$DIR"
if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet duckdb
fi
CARGO=${CARGO:-$(command -v cg || echo cargo)}
(cd "$ROOT" && "$CARGO" build --release --quiet -p baken-monitor --example monitor_cli --example bench_hmac)

# time_v LABEL CMD... : runs CMD under measure.py, records
# "LABEL wall_s peak_rss_kib cpu_s peak_anon_kib peak_file_kib"; stderr in stderr.LABEL.
time_v() {
  local label=$1; shift
  python3 "$ROOT/bench/monitor/measure.py" "$DIR/results" "$label" "$DIR/stderr.$label" "$@"
}

if [[ ! -f "$DIR/raw/.done" ]]; then
  echo "== generating $ROWS rows" >&2
  # The demo generator's monitor files: `baken monitor demo-files` (monitor_cli is
  # `baken monitor` built on its own, from the same code).
  "$BIN/monitor_cli" demo-files --rows "$ROWS" --out "$DIR/raw" --seed "${SEED:-1}"
  touch "$DIR/raw/.done"
fi
: > "$DIR/results"
: > "$DIR/load-rounds"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" > "$DIR/load"
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, SHA-NI: $(grep -q -m1 ' sha_ni' /proc/cpuinfo && echo yes || echo no)" | tee "$DIR/cpu" >&2

if [[ "${SKIP_PSEUDONYMISE:-}" != 1 ]]; then
echo "== (a) raw HMAC-SHA256 vs pseudonymise, one core, same process" >&2
"$BIN/bench_hmac" "$DIR"/raw/org*.csv | tee "$DIR/hmac" >&2

echo "load average after (a) in process: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$DIR/load"
echo "== (a) pseudonymise command, file by file" >&2
rm -f "$DIR/monitor.key"
"$BIN/monitor_cli" keygen --out "$DIR/monitor.key" 2>/dev/null
mkdir -p "$DIR/p"
for f in "$DIR"/raw/org*.csv; do
  name=$(basename "$f" .csv)
  time_v "pseudonymise-$name" "$BIN/monitor_cli" pseudonymise --key "$DIR/monitor.key" --org "$name" "$f" --out "$DIR/p/$name.csv"
done
rm -f "$DIR/monitor.key"
echo "load average after (a): $(cut -d' ' -f1-3 /proc/loadavg)" >> "$DIR/load"
else
  rm -f "$DIR/hmac"
fi
[[ "${SKIP_LINK:-}" == 1 ]] && SKIP_LINK_AND_DUCKDB=1 || SKIP_LINK_AND_DUCKDB=0

# (b) alternates Baken and DuckDB for $ROUNDS rounds and reports every round,
# so that load from other processes on a shared machine hits both alike.
ROUNDS=${ROUNDS:-3}
DUCK_VERSION=$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')
for round in $(seq 1 "$ROUNDS"); do
  [[ $SKIP_LINK_AND_DUCKDB == 1 ]] && break
  sync
  echo "round-$round $(cut -d' ' -f1-3 /proc/loadavg)" >> "$DIR/load-rounds"
  echo "== (b) round $round (load $(cut -d' ' -f1-3 /proc/loadavg)): Baken link + report" >&2
  BAKEN_MONITOR_PHASES=1 time_v "baken-link-$round" "$BIN/monitor_cli" link "$DIR"/p/org*.csv --out "$DIR/linked.parquet"
  BAKEN_MONITOR_PHASES=1 time_v "baken-report-$round" "$BIN/monitor_cli" report "$DIR/linked.parquet" --out "$DIR/report"
  echo "== (b) round $round: DuckDB $DUCK_VERSION link + report" >&2
  time_v "duckdb-$round" "$VENV/bin/python" "$ROOT/bench/monitor/duckdb_link_report.py" "$DIR/duck.parquet" "$DIR/duck-truth.json" "$DIR"/p/org*.csv
done
if [[ $SKIP_LINK_AND_DUCKDB == 0 ]]; then
  "$VENV/bin/python" "$ROOT/bench/monitor/check_equal.py" "$DIR/duck-truth.json" "$DIR/report/report.json" | tee "$DIR/equal" >&2
  rm -f "$DIR/duck-truth.json"
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$DIR/load"

python3 - "$DIR" "$DUCK_VERSION" <<'PY'
import pathlib, re, sys
d = pathlib.Path(sys.argv[1])
duck_version = sys.argv[2]
res = {}
for line in (d / "results").read_text().split("\n"):
    if line.strip():
        label, wall, rss, cpu, anon, file_ = line.split()
        res[label] = dict(wall=float(wall), rss=int(rss), cpu=float(cpu), anon=int(anon), file=int(file_))
load = (d / "load").read_text().strip().replace("\n", "; ")
mib = lambda kib: f"{kib / 1024:,.0f} MiB"
print(f"\n### Figures ({(d / 'cpu').read_text().strip().lstrip('= ')}; {load})\n")
print("| measure | value |\n|---|---|")
if (d / "hmac").exists():
    h = dict(l.split("=", 1) for l in (d / "hmac").read_text().split("\n") if "=" in l)
    f = lambda k: float(h[k])
    rows = int(h["rows"])
    raw, raw_cpu = f("raw_hmac_per_second"), f("raw_hmac_per_cpu_second")
    inproc, inproc_cpu = f("pseudonymise_per_second"), f("pseudonymise_per_cpu_second")
    check, check_cpu = f("pseudonymise_without_writing_per_second"), f("pseudonymise_without_writing_per_cpu_second")
    ps = {k: v for k, v in res.items() if k.startswith("pseudonymise-")}
    cli_wall = sum(p["wall"] for p in ps.values())
    cli_cpu = sum(p["cpu"] for p in ps.values())
    cli_rss = max(p["rss"] for p in ps.values())
    cli_rate = rows / cli_cpu
    print(f"""| rows, organisations | {rows:,}, {len(ps)} |
| raw HMAC-SHA256, 1 core: `hmac` crate, cached key state cloned per message | {f('raw_hmac_crate_per_second')/1e6:.2f} M addresses/s ({f('raw_hmac_crate_per_cpu_second')/1e6:.2f} M per CPU-second) |
| raw HMAC-SHA256, 1 core: bare, two SHA-256 compressions from cached states (the ceiling) | {f('raw_hmac_bare_per_second')/1e6:.2f} M addresses/s ({f('raw_hmac_bare_per_cpu_second')/1e6:.2f} M per CPU-second) |
| raw HMAC-SHA256, 1 core: bare, two messages at once, compressions interleaved (a stricter ceiling) | {f('raw_hmac_paired_per_second')/1e6:.2f} M addresses/s ({f('raw_hmac_paired_per_cpu_second')/1e6:.2f} M per CPU-second); `pseudonymise` reaches {inproc/f('raw_hmac_paired_per_second'):.0%} of it ({inproc_cpu/f('raw_hmac_paired_per_cpu_second'):.0%} by CPU time) |
| `pseudonymise` in process (read, split, check, HMAC, scatter to buckets on disk, shuffle buckets, write CSV to a sink), 1 core | {inproc/1e6:.2f} M rows/s = **{inproc/raw:.0%} of raw HMAC**; by CPU time {inproc_cpu/1e6:.2f} M rows per CPU-second = **{inproc_cpu/raw_cpu:.0%}** (aim ≥ 50%) |
| the same without the shuffle and writing | {check/1e6:.2f} M rows/s = {check/raw:.0%}; by CPU time {check_cpu/raw_cpu:.0%} |
| `pseudonymise` command, {len(ps)} files (incl. process start, writing and syncing the files) | {cli_wall:.2f} s wall, {cli_cpu:.2f} s CPU = {cli_rate/1e6:.2f} M rows per CPU-second = {cli_rate/raw_cpu:.0%} of raw HMAC per CPU-second |
| `pseudonymise` command, peak RSS (largest of the {len(ps)} files) | {cli_rss/1024:.1f} MiB |
| shuffle, in process: most rows / bytes held at once, bucket files | {int(h['shuffle_peak_rows_in_memory']):,} rows / {int(h['shuffle_peak_bytes_in_memory'])/2**20:.1f} MiB, {h['shuffle_bucket_files']} files |""")
if "duckdb-1" in res:
    loads = dict(l.split(" ", 1) for l in (d / "load-rounds").read_text().strip().split("\n"))
    rounds = sorted({int(k.rsplit("-", 1)[1]) for k in res if k.startswith("duckdb-")})
    for r in rounds:
        bl, br, du = res[f"baken-link-{r}"], res[f"baken-report-{r}"], res[f"duckdb-{r}"]
        bw, bc = bl["wall"] + br["wall"], bl["cpu"] + br["cpu"]
        brss, banon = max(bl["rss"], br["rss"]), max(bl["anon"], br["anon"])
        print(f"| round {r} (load {loads[f'round-{r}']}): Baken link + report / DuckDB {duck_version} | "
              f"{bl['wall']:.2f} + {br['wall']:.2f} s ({bc:.2f} s CPU) / {du['wall']:.2f} s ({du['cpu']:.2f} s CPU) = "
              f"**{bw / du['wall']:.3f}** wall (aim ≤ 0.1; DuckDB {du['wall'] / bw:.1f}× slower), {bc / du['cpu']:.3f} CPU |")
        print(f"| round {r}: `link` CPU / wall | {bl['cpu']:.2f} / {bl['wall']:.2f} s = **{bl['cpu'] / bl['wall']:.2f} cores** (aim ≥ 1.8) |")
        print(f"| round {r}: peak memory, Baken / DuckDB | RSS {mib(brss)} / {mib(du['rss'])} = **{brss / du['rss']:.3f}** (aim ≤ 0.1); "
              f"anonymous {mib(banon)} / {mib(du['anon'])} = {banon / max(du['anon'], 1):.3f}; file pages in Baken's RSS at most {mib(max(bl['file'], br['file']))} (the input is read, not memory-mapped) |")
        phases = [m.groups() for m in re.finditer(r"phase (.*?): ([\d.]+) s wall, ([\d.]+) s CPU", (d / f"stderr.baken-link-{r}").read_text() + (d / f"stderr.baken-report-{r}").read_text())]
        print(f"| round {r}: phases (wall / CPU) | " + "; ".join(f"{p}: {float(w):.2f} / {float(c):.2f} s" for p, w, c in phases) + " |")
        link_err = (d / f"stderr.baken-link-{r}").read_text()
        parts = re.search(r"parts \(thread CPU seconds\): (.*)", link_err)
        if parts:
            print(f"| round {r}: `link`'s parts (thread CPU seconds, load-independent) | {parts.group(1)} |")
        idle = re.search(r"on (\d+) idle cores at least \(per phase\): (.*) = ([\d.]+) s", link_err)
        if idle:
            least = float(idle.group(3))
            print(f"| round {r}: `link` on {idle.group(1)} idle cores, from its threads' CPU time (critical path per phase) | "
                  f"at least {idle.group(2)} = {least:.2f} s wall: CPU / wall at most **{bl['cpu'] / least:.2f}** (aim ≥ 1.8); "
                  f"the wall ratio this implies on an idle machine (Baken's least wall + report's CPU, over DuckDB's CPU time spread over both cores; both lower bounds): {(least + br['cpu']) / (du['cpu'] / 2):.3f} |")
    print(f"| tables equal (DuckDB's, CBS-protected, vs Baken's report.json) | {(d / 'equal').read_text().strip()} |")
PY
