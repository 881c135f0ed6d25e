#!/usr/bin/env bash
# Recomputing every indicator of every commission over N households (issue 13):
# Baken on SQLite and on PostgreSQL against DuckDB over the CSV export of the
# same tables, in one run; checks the figures are equal.
#
#   bench/commissioning/run.sh                        # 2,000,000 households
#   HOUSEHOLDS=200000 bench/commissioning/run.sh      # quicker
#   PG_URL=postgres://postgres@127.0.0.1:5433/postgres bench/commissioning/run.sh
#
# The data is generated once into $WORK (default ~/.cache/baken-commissioning/
# bench-$HOUSEHOLDS); PostgreSQL gets a database of its own, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
HOUSEHOLDS=${HOUSEHOLDS:-2000000}
ROUNDS=${ROUNDS:-3}
PG_URL=${PG_URL:-${BAKEN_TEST_PG_URL:-}}
WORK=${WORK:-$HOME/.cache/baken-commissioning/bench-$HOUSEHOLDS}
VENV=${VENV:-$HOME/.cache/baken-monitor/duckdb-venv}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/commissioning-recompute
mkdir -p "$WORK/export" "$WORK/sqlite" "$WORK/postgres" "$WORK/duckdb"
rm -f "$WORK"/sqlite/* "$WORK"/postgres/* "$WORK"/duckdb/*   # no figures from an earlier run

nice -n 19 cargo build --release -q -p baken-bench --bin commissioning-recompute
test -x "$VENV/bin/python" || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q duckdb; }

DB=$WORK/bench.db
if [ ! -s "$WORK/export/households.csv" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" base "sqlite://$DB"
  "$BIN" casework "sqlite://$DB" "$HOUSEHOLDS"
  "$BIN" commissions "sqlite://$DB"
  # The export: the columns the figures read, as CSV (NULL as an empty field).
  export_table() { sqlite3 -csv "$DB" "SELECT $2 FROM $1 ORDER BY 1" > "$WORK/export/$1.csv"; }
  export_table households "id, district_code"
  export_table cw_plans "id, household_id, opened_on, status, closed_on"
  export_table cw_goals "id, plan_id, outcome, outcome_on"
  export_table cw_agreements "id, plan_id, provider_id, step, start_on"
  export_table cw_measurements "id, household_id, measured_on, source"
  export_table cw_scores "measurement_id, score"
  export_table cw_signals "id, household_id, reported_on, first_contact_on"
  # For PostgreSQL: the full rows of the casework tables.
  full_table() { sqlite3 -csv "$DB" "SELECT $2 FROM $1 ORDER BY 1" > "$WORK/export/full_$1.csv"; }
  full_table households "id, street, house_number, postcode, city, neighbourhood_code, district_code, team_id, created_at, updated_at"
  full_table cw_plans "id, household_id, opened_on, opened_by, status, closed_on, updated_at"
  full_table cw_goals "id, plan_id, domain, description, measure, target_date, term, outcome, outcome_on"
  full_table cw_agreements "id, plan_id, goal_id, actor, actor_name, provider_id, description, step, form, frequency, start_on, own_contribution, reason1, reason2, reason3, created_at"
  full_table cw_measurements "id, household_id, measured_on, source"
  full_table cw_scores "measurement_id, domain, score"
  full_table cw_signals "id, reported_on, category, urgency, description, source, postcode, house_number, team_id, household_id, first_contact_on, created_at"
fi
ls -la "$DB" | awk '{print "SQLite database: " $5 " bytes"}'

echo "== load: $(uptime)"
echo "== Baken on SQLite"
"$BIN" recompute "sqlite://$DB" "$WORK/sqlite" "$ROUNDS" | tee "$WORK/sqlite/result.json"

if [ -n "$PG_URL" ]; then
  PG_DB=baken_bench_commissioning_$$
  BASE_URL=${PG_URL%/*}
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
  trap 'psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB"' EXIT
  "$BIN" base "$BASE_URL/$PG_DB"
  started=$(date +%s.%N)
  for spec in \
      "households|id, street, house_number, postcode, city, neighbourhood_code, district_code, team_id, created_at, updated_at" \
      "cw_plans|id, household_id, opened_on, opened_by, status, closed_on, updated_at" \
      "cw_goals|id, plan_id, domain, description, measure, target_date, term, outcome, outcome_on" \
      "cw_agreements|id, plan_id, goal_id, actor, actor_name, provider_id, description, step, form, frequency, start_on, own_contribution, reason1, reason2, reason3, created_at" \
      "cw_measurements|id, household_id, measured_on, source" \
      "cw_scores|measurement_id, domain, score" \
      "cw_signals|id, reported_on, category, urgency, description, source, postcode, house_number, team_id, household_id, first_contact_on, created_at"; do
    table=${spec%%|*}; cols=${spec#*|}
    psql -q "$BASE_URL/$PG_DB" -c "\\copy $table ($cols) FROM '$WORK/export/full_$table.csv' CSV"
  done
  psql -q "$BASE_URL/$PG_DB" -c "ANALYZE"
  echo "PostgreSQL load (COPY + ANALYZE): $(echo "$(date +%s.%N) - $started" | bc) s"
  "$BIN" commissions "$BASE_URL/$PG_DB"
  echo "== Baken on PostgreSQL"
  "$BIN" recompute "$BASE_URL/$PG_DB" "$WORK/postgres" "$ROUNDS" | tee "$WORK/postgres/result.json"
fi

echo "== DuckDB $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)') over the CSV export"
for r in $(seq "$ROUNDS"); do
  "$VENV/bin/python" bench/commissioning/duckdb_recompute.py "$WORK/export" "$WORK/sqlite/scopes.csv" \
    "$WORK/duckdb/figures.csv" | tee "$WORK/duckdb/result-$r.json"
done

echo "== equal?"
python3 - "$WORK" <<'PY'
import json, sys, glob
work = sys.argv[1]
def load(path, cols=4):
    return {tuple(l.split(",")[:2]): l.strip().split(",")[2:cols] for l in open(path)}
sqlite = load(f"{work}/sqlite/figures.csv")
duck = load(f"{work}/duckdb/figures.csv")
ok = sqlite == duck
print(f"SQLite = DuckDB (value, households): {ok}, {len(sqlite)} figures")
if not ok:
    bad = [k for k in sqlite if sqlite[k] != duck.get(k)][:5]
    print("  differ:", [(k, sqlite[k], duck.get(k)) for k in bad])
try:
    pg = load(f"{work}/postgres/figures.csv", 5)
    full = load(f"{work}/sqlite/figures.csv", 5)
    print(f"SQLite = PostgreSQL (value, households, cell key): {pg == full}")
except FileNotFoundError:
    pass
res = lambda p: json.load(open(p))
ducks = [res(p) for p in glob.glob(f"{work}/duckdb/result-*.json")]
duck_best = min(d["wall_s"] for d in ducks)
duck_cpu = min(d.get("cpu_s", float("nan")) for d in ducks)
s = res(f"{work}/sqlite/result.json")
print(f"DuckDB {duck_best:.2f} s wall, {duck_cpu:.2f} s CPU (best of {len(ducks)})")
print(f"SQLite {s['best_s']:.2f} s wall, {s.get('best_cpu_s', float('nan')):.2f} s CPU: "
      f"ratio wall {s['best_s'] / duck_best:.2f}, CPU {s.get('best_cpu_s', float('nan')) / duck_cpu:.2f}")
try:
    p = res(f"{work}/postgres/result.json")
    print(f"PostgreSQL {p['best_s']:.2f} s wall: ratio wall {p['best_s'] / duck_best:.2f}")
except FileNotFoundError:
    pass
PY
echo "== load: $(uptime)"
