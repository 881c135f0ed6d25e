#!/usr/bin/env bash
# Casework under concurrent load, on SQLite and on PostgreSQL, with N households
# (default 100,000): the household's casework page (/dossier/{id}: signals,
# conversations, the score chart, the plan with goals, agreements, referrals
# and history — one audited read) and a generalist's caseload (/mijn-caseload).
# Household pages are requested for ids drawn at random from the demo
# generalist's whole caseload (spread.lua), not for one hot household.
#
# Named alternatives, measured in the same run on the same database: the
# generalist's start page (/start: the session lookup and a template, no audited
# read — what a page costs without the audit), and the foundation's household
# page (/huishoudens/{id}), the plainest audited read of one household. Every
# figure is a ratio against the latter.
#
# Needs: a release build of baken, wrk (Debian package `wrk`), curl, and for
# PostgreSQL psql plus BAKEN_BENCH_PG_URL (a user that may create databases).
#
#   cargo build --release -p baken
#   BAKEN_BENCH_PG_URL=postgres://baken:baken@127.0.0.1:5432/baken bench/casework/run.sh
#
# Prints Markdown rows for docs/benchmarks.md. wrk runs on the same 2-core
# machine as the server, so the figures are a floor, not a ceiling.
set -euo pipefail

N=${N:-100000}
CONNS=${CONNS:-32}
DUR=${DUR:-15s}
BIN=${BAKEN_BIN:-${CARGO_TARGET_DIR:-target}/release/baken}
PG_ADMIN=${BAKEN_BENCH_PG_URL:-}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "${KEEP_LOG:-}" ]; then cp "$work/serve.log" "$KEEP_LOG" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

login() { # $1 base url → prints the session cookie value
  # The login form's token is signed by the server: fetch the form first.
  local csrf
  csrf=$(curl -s -c "$work/jar" "$1/inloggen" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -o /dev/null -b "$work/jar" -c "$work/jar" \
    --data-urlencode "csrf=$csrf" --data-urlencode "terug=/start" \
    --data-urlencode "gebruikersnaam=generalist" --data-urlencode "wachtwoord=proefstad-demo-2026" \
    "$1/inloggen"
  awk '$6 == "baken_sessie" { print $7 }' "$work/jar"
}

here=$(cd "$(dirname "$0")" && pwd)

measure() { # $1 url, $2 cookie, [$3 path prefix for ids drawn from $work/ids] → "req/s p99"
  local out spread=()
  if [ -n "${3:-}" ]; then spread=(-s "$here/spread.lua"); fi
  # shellcheck disable=SC2086 # WRK_ARGS is a list of extra arguments
  out=$(IDS="$work/ids" PREFIX="${3:-}" wrk -t2 -c"$CONNS" -d"$DUR" --latency "${spread[@]}" ${WRK_ARGS:-} -H "Cookie: baken_sessie=$2" "$1")
  if [ -n "${WRK_ARGS:-}" ]; then echo "$out" >&2; fi
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  if [ -n "$non2xx" ]; then echo "warning: $non2xx non-2xx responses for $1" >&2; fi
  echo "$rps $p99"
}

run_backend() { # $1 label, $2 database url
  local label=$1 url=$2
  local t0 t1
  t0=$(date +%s)
  "$BIN" demo --db "$url" --households "$N" >/dev/null 2>"$work/demo.log"
  t1=$(date +%s)
  echo "[$label] demo with $N households (casework in every stage) loaded in $((t1 - t0)) s" >&2
  "$BIN" serve --db "$url" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
  server_pid=$!
  local base=""
  for _ in $(seq 1 200); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1 || true)
    [ -n "$base" ] && curl -sf "$base/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
  local cookie
  cookie=$(login "$base")
  [ -n "$cookie" ] || { echo "login failed" >&2; cat "$work/serve.log" >&2; exit 1; }
  # The ids of every household in the generalist's caseload, page by page.
  : >"$work/ids"
  local p=1
  while :; do
    local found
    found=$(curl -sf -H "Cookie: baken_sessie=$cookie" "$base/mijn-caseload?pagina=$p" | grep -o 'href="/dossier/[0-9]*"' | grep -o '[0-9]*' | sort -u || true)
    [ -n "$found" ] || break
    echo "$found" >>"$work/ids"
    p=$((p + 1))
    [ "$p" -le 200 ] || break
  done
  local n_ids
  n_ids=$(sort -u "$work/ids" | wc -l)
  [ "$n_ids" -gt 0 ] || { echo "no households in the caseload" >&2; exit 1; }
  echo "[$label] spreading household pages over the $n_ids households of the caseload" >&2
  read -r start_rps start_p99 < <(measure "$base/start" "$cookie")
  read -r base_rps base_p99 < <(measure "$base/huishoudens/1" "$cookie" /huishoudens/)
  read -r dos_rps dos_p99 < <(measure "$base/dossier/1" "$cookie" /dossier/)
  read -r cl_rps cl_p99 < <(measure "$base/mijn-caseload" "$cookie")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
  echo "| $label | start page, no audited read (reference) | $start_rps | $start_p99 | $(ratio "$start_rps" "$base_rps") |"
  echo "| $label | household page /huishoudens/{id} (alternative) | $base_rps | $base_p99 | 1.00 |"
  echo "| $label | casework page /dossier/{id} | $dos_rps | $dos_p99 | $(ratio "$dos_rps" "$base_rps") |"
  echo "| $label | caseload list, page 1 (50 of $n_ids households) | $cl_rps | $cl_p99 | $(ratio "$cl_rps" "$base_rps") |"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  if [ -n "${KEEP_LOG:-}" ]; then cp "$work/serve.log" "$KEEP_LOG.$label"; fi
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| backend | page | requests/s | p99 | vs household page |"
echo "|---|---|---:|---:|---:|"
run_backend SQLite "sqlite://$work/bench.db"
if [ -n "$PG_ADMIN" ]; then
  dbname="baken_bench_cw_$$"
  psql -q "$PG_ADMIN" -c "CREATE DATABASE $dbname" >/dev/null
  run_backend PostgreSQL "${PG_ADMIN%/*}/$dbname"
  psql -q "$PG_ADMIN" -c "DROP DATABASE $dbname" >/dev/null || true
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
