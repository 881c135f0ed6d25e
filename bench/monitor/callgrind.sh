#!/usr/bin/env bash
# Instruction counts per row for pseudonymise and for raw HMAC-SHA256, with callgrind:
# repeatable and independent of other load on the machine (unlike wall or CPU time).
#
#   bench/monitor/callgrind.sh FILE.csv     # an organisation file; 200,000 rows are used
#
# Runs examples/bench_hmac once per loop under valgrind (BENCH_ONLY=load, raw-crate,
# raw-bare, pseudonymise; one round each) and subtracts the `load` run (reading and
# normalising the addresses for the raw loops). Note: valgrind does not execute SHA-NI,
# so SHA-256 runs in its portable software form there (about 3,500 instructions per
# compression instead of a few hundred cycles): the counts show the work *besides*
# the two compressions per row, which is what pseudonymise adds to raw HMAC.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/baken-target}
ROWS=${ROWS:-200000}
IN=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
head -n $((ROWS + 1)) "$IN" > "$WORK/in.csv"
(cd "$ROOT" && cargo build --release --quiet -p baken-monitor --example bench_hmac)
BIN=$CARGO_TARGET_DIR/release/examples/bench_hmac
declare -A total compress
for mode in load raw-crate raw-bare pseudonymise; do
  BENCH_ROUNDS=1 BENCH_ONLY=$mode valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$mode" \
    "$BIN" "$WORK/in.csv" > /dev/null 2> "$WORK/log.$mode"
  total[$mode]=$(awk '/Collected :/ {print $NF}' "$WORK/log.$mode")
  compress[$mode]=$(callgrind_annotate "$WORK/cg.$mode" 2>/dev/null | awk '/compress256/ {gsub(",", "", $1); s += $1} END {print s + 0}')
done
python3 - "$ROWS" "${total[load]}" "${total[raw-crate]}" "${compress[raw-crate]}" "${total[raw-bare]}" "${compress[raw-bare]}" "${total[pseudonymise]}" "${compress[pseudonymise]}" <<'PY'
import sys
rows, load, crate, crate_c, bare, bare_c, ps, ps_c = map(int, sys.argv[1:])
def line(name, total, comp):
    per = (total - load) / rows
    print(f"{name}: {per:,.0f} instructions per row, of which SHA-256 compressions {comp / rows:,.0f}, everything else {per - comp / rows:,.0f}")
print(f"rows={rows:,}")
line("raw HMAC, hmac crate (cloned key state)", crate, crate_c)
line("raw HMAC, bare (two compressions)", bare, bare_c)
line("pseudonymise + write_csv to a sink", ps, ps_c)
PY
