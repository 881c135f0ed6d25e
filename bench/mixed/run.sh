#!/usr/bin/env bash
# Mixed load — pages and API at once — at several connection counts, on SQLite
# and on PostgreSQL, with p50 and p99 per route (issue 16 item 15). Five wrk
# processes run side by side for DUR, each on one route with its share of the
# connections, so every route gets its own latency figures while all of them
# load the server together:
#
#   30 %  household page /huishoudens/{id}         audited read, shared batch
#   20 %  API household /api/v1/households/{id}    audited read, shared batch
#   20 %  casework page /dossier/{id}              audited read, own transaction
#   15 %  API signals /api/v1/signals              audited read, own transaction
#   15 %  start page /start                        no audited read (reference)
#
# Household ids are drawn at random from the demo generalist's caseload
# (../casework/spread.lua). Needs a release build of baken, wrk, curl, and for
# PostgreSQL psql plus BAKEN_BENCH_PG_URL (a user that may create databases).
#
#   cargo build --release -p baken
#   BAKEN_BENCH_PG_URL=postgres://postgres@127.0.0.1:5433/postgres bench/mixed/run.sh
#
# CONNS="32 200" (the totals to run), DUR=15s, N=2000 households, BAKEN_BIN.
# Prints Markdown rows for docs/benchmarks.md, each with the load average of the
# machine (wrk runs on the same cores as the server: the figures are a floor).
set -euo pipefail

N=${N:-2000}
CONNS=${CONNS:-32 200}
DUR=${DUR:-15s}
BIN=${BAKEN_BIN:-${CARGO_TARGET_DIR:-target}/release/baken}
LABEL=${LABEL:-}
PG_ADMIN=${BAKEN_BENCH_PG_URL:-}
here=$(cd "$(dirname "$0")" && pwd)
spread="$here/../casework/spread.lua"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

login() { # $1 base url → the session cookie's value
  # The login form's token is signed by the server: fetch the form first.
  local csrf
  csrf=$(curl -s -c "$work/jar" "$1/inloggen" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -o /dev/null -b "$work/jar" -c "$work/jar" \
    --data-urlencode "csrf=$csrf" --data-urlencode "terug=/start" \
    --data-urlencode "gebruikersnaam=generalist" --data-urlencode "wachtwoord=proefstad-demo-2026" \
    "$1/inloggen"
  awk '$6 == "baken_sessie" { print $7 }' "$work/jar"
}

# One route: $1 name, $2 connections, $3 url, $4 header, [$5 id prefix] → writes $work/out.$1
route() {
  local name=$1 conns=$2 url=$3 header=$4 prefix=${5:-} args=()
  if [ -n "$prefix" ]; then args=(-s "$spread"); fi
  IDS="$work/ids" PREFIX="$prefix" wrk -t1 -c"$conns" -d"$DUR" --timeout 10s --latency "${args[@]}" \
    -H "$header" "$url" >"$work/out.$name" 2>&1
}

# Scales wrk's "1.23ms"/"456.78us"/"1.02s" to milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.0f", n }'; }

run_mix() { # $1 backend label, $2 base url, $3 cookie, $4 token, $5 total connections
  local label=$1 base=$2 cookie=$3 token=$4 total=$5
  local c_hh=$((total * 30 / 100)) c_api=$((total * 20 / 100)) c_dos=$((total * 20 / 100)) c_sig=$((total * 15 / 100))
  local c_start=$((total - c_hh - c_api - c_dos - c_sig))
  local load_before
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  route household "$c_hh" "$base/huishoudens/1" "Cookie: baken_sessie=$cookie" /huishoudens/ &
  local p1=$!
  route api_household "$c_api" "$base/api/v1/households/1" "Authorization: Bearer $token" /api/v1/households/ &
  local p2=$!
  route dossier "$c_dos" "$base/dossier/1" "Cookie: baken_sessie=$cookie" /dossier/ &
  local p3=$!
  route api_signals "$c_sig" "$base/api/v1/signals" "Authorization: Bearer $token" &
  local p4=$!
  route start "$c_start" "$base/start" "Cookie: baken_sessie=$cookie" &
  local p5=$!
  wait "$p1" "$p2" "$p3" "$p4" "$p5"
  local load_after
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  for name in household api_household dossier api_signals start; do
    local out="$work/out.$name" rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$out")
    p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += 1 } END { print n + 0 }' "$out")
    echo "| $label${LABEL:+ ($LABEL)} | $total | $name | $rps | $p50 | $p99 | $errors | $load_before → $load_after |"
  done
}

run_backend() { # $1 label, $2 database url
  local label=$1 url=$2
  "$BIN" demo --db "$url" --households "$N" >/dev/null 2>"$work/demo.log"
  "$BIN" serve --db "$url" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
  server_pid=$!
  local base=""
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1 || true)
    [ -n "$base" ] && curl -sf "$base/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
  local cookie token
  cookie=$(login "$base")
  [ -n "$cookie" ] || { echo "login failed" >&2; cat "$work/serve.log" >&2; exit 1; }
  token=$("$BIN" token create --db "$url" --username generalist --ttl 1h 2>/dev/null)
  : >"$work/ids"
  local p=1 found
  while [ "$p" -le 50 ]; do
    found=$(curl -sf -H "Cookie: baken_sessie=$cookie" "$base/mijn-caseload?pagina=$p" | grep -o 'href="/dossier/[0-9]*"' | grep -o '[0-9]*' | sort -u || true)
    [ -n "$found" ] || break
    echo "$found" >>"$work/ids"
    p=$((p + 1))
  done
  [ -s "$work/ids" ] || { echo "no households in the caseload" >&2; exit 1; }
  for total in $CONNS; do
    run_mix "$label" "$base" "$cookie" "$token" "$total"
  done
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

echo "| backend | connections | route | requests/s | p50 ms | p99 ms | errors | load average (1 min) |"
echo "|---|---:|---|---:|---:|---:|---:|---|"
if [ -z "${SKIP_SQLITE:-}" ]; then run_backend SQLite "sqlite://$work/bench.db"; fi
if [ -n "$PG_ADMIN" ]; then
  dbname="baken_bench_mixed_$$"
  psql -q "$PG_ADMIN" -c "CREATE DATABASE $dbname" >/dev/null
  run_backend PostgreSQL "${PG_ADMIN%/*}/$dbname"
  psql -q "$PG_ADMIN" -c "DROP DATABASE $dbname" >/dev/null || true
fi
