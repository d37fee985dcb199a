#!/usr/bin/env bash
# Fuzzes the API from its own contract: starts the local server (dev mode, SQLite in a temporary
# directory, 127.0.0.1 on a free port), validates /api/openapi.json as OpenAPI 3.1
# (openapi-spec-validator), logs a citizen (the person of the contract's example PIN request) and an
# operator in (api/tests/schemathesis/fixtures.py)
# and runs schemathesis against every operation with both sessions' cookies. Any 5xx, an answer
# that its schema does not describe or a status the contract does not list fails the run.
# Usage: scripts/fuzz-api.sh   (FUZZ_MAX_EXAMPLES, FUZZ_MAX_TIME override the bounds)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_pip schemathesis schemathesis==4.32.5
ensure_pip openapi_spec_validator openapi-spec-validator==0.9.0

cargo build -q -p api --bin sportello-local --bin sportello-admin || die "server build failed"
bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
data="$(mktemp -d)"
report="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz-report"
rm -rf "$report" && mkdir -p "$report"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export SPORTELLO_DEV_MODE=1 SPORTELLO_DATA_DIR="$data" RUST_LOG=warn

# The citizen is registered by the fixtures (the contract's example person, dev registry route).
info "a supervisor in $data"
"$bin/sportello-admin" operator create fuzzer --name "Fuzz Tester" --role supervisor >"$data/operator.txt" \
  || die "cannot create the operator"

# One address sends everything here: the per-address rate limit would answer most calls with 429.
SPORTELLO_ADDR="127.0.0.1:$port" SPORTELLO_CLIENT_RATE_PER_MINUTE=100000 \
  "$bin/sportello-local" >"$report/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/api/health', timeout=1)" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || die "the server did not start: $(cat "$report/server.log")"
  sleep 0.2
done

python3 -c "import urllib.request; open('$report/openapi.json', 'wb').write(urllib.request.urlopen('$base/api/openapi.json').read())"
python3 -c "import json, sys; v = json.load(open('$report/openapi.json'))['openapi']; sys.exit(0 if v.startswith('3.1.') else 'not OpenAPI 3.1: ' + v)" \
  || die "the contract is not OpenAPI 3.1"
openapi-spec-validator "$report/openapi.json" || die "the contract is not a valid OpenAPI document"

cookies="$(python3 api/tests/schemathesis/fixtures.py "$base" "$data/operator.txt" fuzzer)" \
  || die "could not log the fuzzing citizen and operator in"

# Bounded: a few examples per operation, two workers, and a time budget for the whole run. The
# logouts (DELETE) and the dev clock (a random date expires every session) would end the fixtures'
# sessions for the other operations: they run last, alone.
last='^(delete_.*|put_dev_clock)$'
fuzz() {
  (cd "$report" && schemathesis run "$base/api/openapi.json" --url "$base" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --header "Cookie: $cookies" \
    --generation-with-security-parameters false \
    --max-redirects 0 \
    --max-examples "${FUZZ_MAX_EXAMPLES:-10}" --workers 2 \
    --seed 18 --no-color \
    --report junit --report-dir "$report" "$@") \
    || die "schemathesis found answers the contract does not allow (report: $report, server log: $report/server.log)"
}
fuzz --exclude-operation-id-regex "$last" --max-time "${FUZZ_MAX_TIME:-150}"
fuzz --include-operation-id-regex "$last" --max-time 30
