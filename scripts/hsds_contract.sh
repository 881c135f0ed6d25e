#!/usr/bin/env bash
# Contract test of Baken's /api/v1/hsds against the HSDS 3.0 API as the
# standard declares it (crates/hsds/hsds-3.0/schema/openapi.json, vendored
# unchanged), with schemathesis, on a running `baken serve --demo`.
#
# Separate from the contract test of Baken's own openapi.json: this one checks
# that an HSDS client can read Baken. The standard's document points its
# response schemas at raw.githubusercontent.com (no network here) and at the
# `compiled/` schemas; a copy made for the run points them at the vendored
# per-entity schemas instead (same definitions, `$ref`s resolved by file), and
# /service_at_locations/{id} at service_at_location.json (the standard's
# document says service.json there, which no service_at_location can satisfy).
#
# Checks: no server errors, the declared content type, and every 200 answer
# valid against the declared schema. Status codes are not checked: the HSDS
# document declares only 200, while Baken answers a bad parameter value with
# 400 problem+json naming it, as all of /api/v1 does.
#
# Usage: scripts/hsds_contract.sh [path/to/baken]   (EXAMPLES=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
BAKEN="${1:-${CARGO_TARGET_DIR:-target}/debug/baken}"
EXAMPLES="${EXAMPLES:-5}"
VENV="${HSDS_CONTRACT_VENV:-$HOME/.cache/baken-hsds-contract-venv}"
SCHEMATHESIS_VERSION=4.32.5

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

SCHEMA_DIR=crates/hsds/hsds-3.0/schema
SPEC="$SCHEMA_DIR/.openapi-contract-$$.json"
WORK="$(mktemp -d)"
cleanup() {
    [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
    rm -f "$SPEC"
    rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$SCHEMA_DIR/openapi.json" "$SPEC" <<'PY'
import json, re, sys
src, dst = sys.argv[1], sys.argv[2]
spec = json.load(open(src))
remote = re.compile(r"^https://raw\.githubusercontent\.com/openreferral/specification/3\.0/schema/(compiled/)?([a-z_]+?)(_list)?\.json$")
def local(node, path):
    if isinstance(node, dict):
        for k, v in list(node.items()):
            if k == "$ref" and isinstance(v, str):
                m = remote.match(v)
                if m:
                    node[k] = m.group(2) + ".json"
            else:
                local(v, path + [k])
    elif isinstance(node, list):
        for x in node:
            local(x, path)
local(spec, [])
sal = spec["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
sal["$ref"] = "service_at_location.json"
json.dump(spec, open(dst, "w"), indent=1)
PY

PORT=$((20000 + RANDOM % 20000))
"$BAKEN" serve --demo --households 20 --db "sqlite://$WORK/hsds.db" --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/api/v1/hsds" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/api/v1/hsds" >/dev/null || { cat "$WORK/serve.log"; exit 1; }

"$VENV/bin/schemathesis" run "$SPEC" \
    --url "http://127.0.0.1:$PORT/api/v1/hsds" \
    --checks not_a_server_error,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" --seed 11 --workers 1 \
    --phases examples,coverage,fuzzing \
    --suppress-health-check all --warnings off
