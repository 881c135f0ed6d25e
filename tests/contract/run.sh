#!/usr/bin/env bash
# The API contract checks, as CI runs them (see .ci/run):
#  (a) Spectral with the official NL API Design Rules ruleset (vendored in
#      tests/contract/nl-api-design-rules/linter.yaml, extended by ruleset.yaml with Baken's
#      documented exceptions): 0 errors;
#  (b) openapi-spec-validator: the document is valid OpenAPI 3.0;
#  (c) schemathesis against a running `baken serve --demo` with an API token of a
#      generalist (and, for /market, of a vrijwilliger): no server error (5xx) and no
#      response that breaks the document.
# Usage: tests/contract/run.sh BAKEN_BINARY   (SCHEMATHESIS_EXAMPLES=N to change
# the number of generated examples per operation; default 25, about a minute).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
BAKEN=${1:?usage: run.sh PATH_TO_BAKEN}
DOC="$ROOT/crates/web/openapi.json"
VENV="${BAKEN_CONTRACT_VENV:-$HOME/.cache/baken-contract-venv}"
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}

echo "--- tools (npm ci here, pip into $VENV)"
npm ci --no-audit --no-fund --loglevel=error
if ! "$VENV/bin/python" -c 'import schemathesis, openapi_spec_validator' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi

echo "--- (a) Spectral, NL API Design Rules"
npx spectral lint --fail-severity error -r "$HERE/ruleset.yaml" "$DOC"

echo "--- (b) OpenAPI validator"
"$VENV/bin/openapi-spec-validator" "$DOC"

echo "--- (c) schemathesis against baken serve --demo"
WORK=$(mktemp -d /tmp/baken-contract.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DB="sqlite://$WORK/demo.db"
"$BAKEN" serve --db "$DB" --addr "127.0.0.1:$PORT" --demo --households 200 >"$WORK/serve.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  grep -q "running at http://" "$WORK/serve.log" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
  sleep 0.2
done
# The demo prints no token; `baken token create` makes one for a demo account
# (a generalist: the casework API's main user), the same way every run.
TOKEN=$("$BAKEN" token create --db "$DB" --username generalist --ttl 1h 2>/dev/null)
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --url "http://127.0.0.1:$PORT/api/v1" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" \
  --workers 2 \
  --generation-deterministic \
  --no-color 2>&1 | tee "$WORK/schemathesis.log"
status=${PIPESTATUS[0]}
# The marketplace API is for participating accounts (the generalist gets 403
# there): a second pass over /market with a vrijwilliger's token.
MARKET_TOKEN=$("$BAKEN" token create --db "$DB" --username vrijwilliger --ttl 1h 2>/dev/null)
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --url "http://127.0.0.1:$PORT/api/v1" \
  -H "Authorization: Bearer $MARKET_TOKEN" \
  --include-path-regex '^/market/' \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" \
  --workers 2 \
  --generation-deterministic \
  --no-color 2>&1 | tee -a "$WORK/schemathesis.log"
market_status=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || status=$market_status
if grep -q "ERROR\|panicked" "$WORK/serve.log"; then
  echo "the server logged errors during the run:"; grep "ERROR\|panicked" "$WORK/serve.log" | head -20
  exit 1
fi
exit "$status"
