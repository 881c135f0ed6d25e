#!/usr/bin/env bash
# Suggestions over many open listings (issue 14): p50/p95/p99 of the
# buurtmarktplaats's suggestions over N_SQLITE open listings on SQLite and
# N_PG on PostgreSQL, against PostgreSQL's own full-text search
# (to_tsvector('dutch', …), GIN index) in the same run, and on SQLite against
# the previous way (every open listing analysed per request) on ten queries.
# Prints Markdown for docs/benchmarks.md with the machine's load before and
# after each backend.
#
#   BAKEN_BENCH_PG_URL=postgres://postgres@127.0.0.1:5433/postgres bench/market/run.sh
#
# N_SQLITE=100000 N_PG=1000000 QUERIES=300; without BAKEN_BENCH_PG_URL only
# SQLite runs. Builds the one benchmark binary in release, under nice.
set -euo pipefail

N_SQLITE=${N_SQLITE:-100000}
N_PG=${N_PG:-1000000}
QUERIES=${QUERIES:-300}
PG_ADMIN=${BAKEN_BENCH_PG_URL:-}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
nice -n 19 cargo build --release -p baken-bench --bin market-suggest >&2
bin=${CARGO_TARGET_DIR:-target}/release/market-suggest

echo "command: N_SQLITE=$N_SQLITE N_PG=$N_PG QUERIES=$QUERIES bench/market/run.sh ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
echo "load before SQLite: $(uptime)"
nice -n 19 "$bin" sqlite "$N_SQLITE" "$QUERIES"
echo "load after SQLite: $(uptime)"
if [ -n "$PG_ADMIN" ]; then
  echo
  echo "load before PostgreSQL: $(uptime)"
  nice -n 19 "$bin" "$PG_ADMIN" "$N_PG" "$QUERIES"
  echo "load after PostgreSQL: $(uptime)"
fi
