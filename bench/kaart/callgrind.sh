#!/usr/bin/env bash
# Instruction counts for the Eigen Kracht Wijzer's suggestion step, with callgrind:
# repeatable and independent of other load on the machine (unlike wall or CPU time).
#
#   bench/kaart/callgrind.sh [SERVICES]     # default 10,000
#
# For each of the seven profiles of bench/kaart/wijzer.rs, counts the instructions
# of `suggest_with` over a kept index (3 rounds, divided by the calls the benchmark
# reports), then the instructions a naive request adds by indexing the map and
# compiling the rules again (`ServiceIndex::new` + `RuleIndex::new`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/baken-target}
N=${1:-10000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$ROOT" && cargo build --release --quiet -p baken-bench --bin kaart-wijzer)
BIN=$CARGO_TARGET_DIR/release/kaart-wijzer
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
per_call() { # log file, calls pattern
  local collected calls
  collected=$(awk '/Collected :/ {print $NF}' "$1.err")
  calls=$(sed -n "s/.*$2 \([0-9]*\).*/\1/p" "$1.out")
  echo $((collected / calls))
}
total=0
for p in 0 1 2 3 4 5 6; do
  KAART_PROFILES=$p valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$p" \
    --toggle-collect='*suggest_with*' "$BIN" "$N" 3 indexed > "$WORK/p$p.out" 2> "$WORK/p$p.err"
  name=$(sed -n 's/^(\(.*\) gives .*/\1/p' "$WORK/p$p.out")
  n=$(per_call "$WORK/p$p" "suggest_with")
  total=$((total + n))
  printf '%-26s %12s instructions per suggestion\n' "$name" "$(commas "$n")"
done
printf '%-26s %12s instructions per suggestion\n' "mean of the seven" "$(commas $((total / 7)))"
KAART_PROFILES=0 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.naive" \
  --toggle-collect='*ServiceIndex*new*' --toggle-collect='*RuleIndex*new*' \
  "$BIN" "$N" 2 naive > "$WORK/naive.out" 2> "$WORK/naive.err"
n=$(per_call "$WORK/naive" "index builds (ServiceIndex::new and RuleIndex::new each)")
printf '%-26s %12s instructions per request, on top of the suggestion\n' "naive: index the map again" "$(commas "$n")"
