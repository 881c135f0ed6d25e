#!/usr/bin/env bash
# The verantwoording dashboard over N households (issue 15): what /dashboard
# computes (`monitoring::dashboard::report`), cold and warm, on SQLite and on
# PostgreSQL, against DuckDB computing the same figures over the CSV export of
# the same tables, in one run; checks Baken's published figures against
# DuckDB's true ones.
#
#   bench/dashboard/run.sh                          # 2,000,000 households
#   HOUSEHOLDS=200000 bench/dashboard/run.sh        # quicker
#   PG_URL=postgres://postgres@127.0.0.1:5433/postgres \
#   PG_RESTART="runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdev/data -w restart" \
#     bench/dashboard/run.sh
#
# Cold: the script drops the kernel's page cache (as root; else it says so)
# before a fresh process runs the report, so the first round reads the
# database from disk; with PG_RESTART PostgreSQL is restarted first (empty
# shared buffers). Warm: the best of the next rounds in the same process.
# DuckDB reads the CSV export each round (its cold and warm differ only by the
# page cache). The data is generated once into $WORK (default
# ~/.cache/baken-dashboard/bench-$HOUSEHOLDS); PostgreSQL gets a database of
# its own, dropped at the end (PG_KEEP=1 keeps it, for
# `dashboard-report profile URL 2026-07-01`: the time of each read).
set -euo pipefail
cd "$(dirname "$0")/../.."
HOUSEHOLDS=${HOUSEHOLDS:-2000000}
ROUNDS=${ROUNDS:-4}
TODAY=${TODAY:-2026-07-01}
PG_URL=${PG_URL:-${BAKEN_TEST_PG_URL:-}}
PG_RESTART=${PG_RESTART:-}
WORK=${WORK:-$HOME/.cache/baken-dashboard/bench-$HOUSEHOLDS}
VENV=${VENV:-$HOME/.cache/baken-monitor/duckdb-venv}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/dashboard-report
mkdir -p "$WORK/export" "$WORK/sqlite" "$WORK/postgres" "$WORK/duckdb"
rm -f "$WORK"/sqlite/* "$WORK"/postgres/* "$WORK"/duckdb/*   # no figures from an earlier run

nice -n 19 cargo build --release -q -p baken-bench --bin dashboard-report
test -x "$VENV/bin/python" || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q duckdb; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command (apt install sqlite3)"; exit 1; }

drop_caches() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches
  else echo "(not root: the page cache stays warm; the cold round is not cold)"; fi
}

DB=$WORK/bench.db
if [ ! -s "$WORK/export/cw_scores.csv" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" base "sqlite://$DB"
  "$BIN" casework "sqlite://$DB" "$HOUSEHOLDS"
  "$BIN" dashboard "sqlite://$DB" "$HOUSEHOLDS"
  sqlite3 "$DB" "ANALYZE"
  # The export DuckDB reads: the columns the figures need, as CSV (NULL as an empty field).
  export_table() { sqlite3 -csv "$DB" "SELECT $2 FROM $1 ORDER BY 1" > "$WORK/export/$1.csv"; }
  export_table households "id, district_code"
  export_table residents "id, household_id"
  export_table cw_plans "id, household_id, opened_on, status, closed_on"
  export_table cw_agreements "id, plan_id, provider_id, step, start_on, COALESCE(ended_on, end_on), referral_id, actor, actor_name, ended_on"
  export_table ct_toewijzingen "id, household_id, referral_id, product_id, provider_id, start_date, COALESCE(stopped_on, end_date), volume, unit, frequency, budget_cents"
  export_table ct_products "id, name, step"
  export_table ct_tariffs "product_id, cents, valid_from, valid_until"
  export_table providers "id, name"
  export_table cw_conversations "id, household_id, held_on, CASE WHEN need_differs THEN 'true' ELSE 'false' END"
  export_table cw_signals "id, household_id, reported_on, first_contact_on, urgency"
  export_table cw_goals "id, plan_id, domain, target_date, outcome, outcome_on"
  export_table cw_measurements "id, household_id, measured_on, source"
  export_table cw_scores "measurement_id, score"
fi
ls -la "$DB" | awk '{print "SQLite database: " $5 " bytes"}'
du -sh "$WORK/export" | awk '{print "CSV export: " $1}'

echo "== load: $(uptime)"
echo "== Baken on SQLite (round 1 cold, the rest warm)"
drop_caches
"$BIN" report "sqlite://$DB" "$WORK/sqlite" "$ROUNDS" "$TODAY" | tee "$WORK/sqlite/result.json"

if [ -n "$PG_URL" ]; then
  PG_DB=baken_bench_dashboard_$$
  BASE_URL=${PG_URL%/*}
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
  if [ -n "${PG_KEEP:-}" ]; then echo "PostgreSQL database kept: $BASE_URL/$PG_DB"
  else trap 'psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB"' EXIT; fi
  "$BIN" base "$BASE_URL/$PG_DB"
  full() { sqlite3 -csv "$DB" "SELECT $2 FROM $1 ORDER BY 1" > "$WORK/full_$1.csv"
           psql -q "$BASE_URL/$PG_DB" -c "\\copy $1 ($2) FROM '$WORK/full_$1.csv' CSV"; rm -f "$WORK/full_$1.csv"; }
  started=$(date +%s.%N)
  full households "id, street, house_number, postcode, city, neighbourhood_code, district_code, team_id, created_at, updated_at"
  full residents "id, household_id, bsn, given_name, surname, birth_date"
  full cw_plans "id, household_id, opened_on, opened_by, status, closed_on, updated_at"
  full cw_goals "id, plan_id, domain, description, measure, target_date, term, outcome, outcome_on"
  full cw_agreements "id, plan_id, goal_id, actor, actor_name, provider_id, description, step, form, frequency, start_on, end_on, own_contribution, reason1, reason2, reason3, created_at"
  full cw_measurements "id, household_id, measured_on, source"
  full cw_scores "measurement_id, domain, score"
  full cw_conversations "id, household_id, held_on, presented_question, need_differs, strengths, wishes, measurement_id, created_by, created_at"
  full cw_signals "id, reported_on, category, urgency, description, source, postcode, house_number, team_id, household_id, first_contact_on, created_at"
  full ct_contracts "id, lot, municipalities, valid_from, valid_until"
  full ct_products "id, category, code, name, step, variant, unit, frequency"
  full ct_contract_products "contract_id, product_id"
  full ct_tariffs "id, contract_id, product_id, cents, valid_from, valid_until, created_at"
  full ct_toewijzingen "id, number, household_id, resident_id, product_id, provider_id, start_date, end_date, volume, unit, frequency, budget_cents, choice, choice_note, started_on, changed_at"
  psql -q "$BASE_URL/$PG_DB" -c "ANALYZE"
  echo "PostgreSQL load (COPY + ANALYZE): $(echo "$(date +%s.%N) - $started" | bc) s"
  echo "== Baken on PostgreSQL (round 1 cold, the rest warm)"
  if [ -n "$PG_RESTART" ]; then eval "$PG_RESTART" >/dev/null; else echo "(no PG_RESTART: PostgreSQL's shared buffers stay warm)"; fi
  drop_caches
  "$BIN" report "$BASE_URL/$PG_DB" "$WORK/postgres" "$ROUNDS" "$TODAY" | tee "$WORK/postgres/result.json"
fi

echo "== DuckDB $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)') over the CSV export (round 1 cold)"
drop_caches
for r in $(seq "$ROUNDS"); do
  "$VENV/bin/python" bench/dashboard/duckdb_report.py "$WORK/export" "$TODAY" "$WORK/duckdb/figures.csv" \
    | tee "$WORK/duckdb/result-$r.json"
done

echo "== published figures consistent with DuckDB's true ones?"
"$BIN" check "$WORK/sqlite/figures.csv" "$WORK/duckdb/figures.csv"
if [ -s "$WORK/postgres/figures.csv" ]; then
  cmp -s "$WORK/sqlite/figures.csv" "$WORK/postgres/figures.csv" \
    && echo "PostgreSQL publishes exactly what SQLite publishes" \
    || { echo "PostgreSQL's figures differ from SQLite's"; diff "$WORK/sqlite/figures.csv" "$WORK/postgres/figures.csv" | head; exit 1; }
fi

python3 - "$WORK" <<'PY'
import json, sys, glob
work = sys.argv[1]
res = lambda p: json.load(open(p))
ducks = [res(f"{work}/duckdb/result-{i}.json") for i in range(1, len(glob.glob(f"{work}/duckdb/result-*.json")) + 1)]
d_cold, d_warm = ducks[0]["wall_s"], min(d["wall_s"] for d in ducks[1:] or ducks)
print(f"DuckDB: cold {d_cold:.2f} s, warm {d_warm:.2f} s ({ducks[-1]['cpu_s']:.2f} s CPU)")
for name in ("sqlite", "postgres"):
    try:
        r = res(f"{work}/{name}/result.json")
    except FileNotFoundError:
        continue
    print(f"{name}: cold {r['first_s']:.2f} s ({r['first_cpu_s']:.2f} s CPU here), warm {r['warm_s']:.2f} s "
          f"({r['warm_cpu_s']:.2f} s CPU here): ratio to DuckDB cold {r['first_s'] / d_cold:.2f}, "
          f"warm {r['warm_s'] / d_warm:.2f}; aims 10 s cold, 2 s warm")
PY
echo "== load: $(uptime)"
