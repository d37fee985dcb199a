#!/usr/bin/env bash
# Installs what is needed and runs every test: formatting and lints, Rust unit and integration
# tests, the SPA build with its size budget, and the end-to-end tests in headless Chromium.
# Usage: scripts/test.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

ensure_test_tools
# The SPID/CIE test federation (spid-cie-oidc): the Rust tests of the federated login and the e2e
# start it (target/federation, ADR 0024).
ensure_federation_venv

step "Formatting (cargo fmt --check)"
cargo fmt --all -- --check || die "code is not formatted: run cargo fmt --all"

step "Lints (cargo clippy, warnings are errors)"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings || die "clippy found problems (native crates)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings || die "clippy found problems (frontend, wasm32)"
# The frontend's unit tests run natively (no browser): their code is linted too.
cargo clippy -p frontend --lib --tests -- -D warnings || die "clippy found problems (frontend tests, native)"
cargo build -p domain --target wasm32-unknown-unknown || die "domain does not build for wasm32"

step "Layers (no import cycle, leaves and routes kept apart, thin handlers: tools/layers, ADR 0018)"
cargo run -q -p layers -- api/src --leaf config --leaf jose --leaf jwe --isolated routes --max-lines routes=40 \
  || die "api/src: an import cycle or a layer breach (see above)"
cargo run -q -p layers -- domain/src || die "domain/src: an import cycle"
cargo run -q -p layers -- frontend/src || die "frontend/src: an import cycle"
cargo run -q -p layers -- tools/layers/src || die "tools/layers/src: an import cycle"

step "Rust unit and integration tests"
cargo test --workspace --all-targets || die "Rust tests failed"
step "API fuzzing (schemathesis)"; bash scripts/fuzz-api.sh # the server against its OpenAPI contract

bash scripts/check-infra.sh # cfn-lint, cfn-guard and each rule against its bad template

step "The SPID/CIE test federation (spid-cie-oidc's trust anchor and providers: e2e/federation, ADR 0024)"
"$FEDERATION_PYTHON" e2e/federation/smoke.py || die "the test federation's smoke check failed"
bash scripts/package-lambda.sh # the arm64 Lambda zip the template deploys, checked to be aarch64

step "Building the SPA (release) and checking its size budget"
bash scripts/build-spa.sh
bash scripts/spa-size.sh

step "Building the panic-probe test SPA (the e2e test of the recovery page; never deployed)"
# Built after dist/ so that dist/ is the release; only the public bundle is needed.
SPA_FEATURES=panic-probe SPA_BUNDLES=frontend SPA_DIST="$ROOT/target/spa-probe" bash scripts/build-spa.sh
export E2E_PROBE_SPA_DIR="$ROOT/target/spa-probe"

step "End-to-end tests (Playwright, Debian Chromium, mobile profile, axe-core)"
# Every spec runs under the guard against panics and uncaught errors (e2e/tests/fixtures.ts).
unguarded=$(grep -L "from './fixtures'" e2e/tests/*.spec.ts || true)
[ -z "$unguarded" ] || die "these specs do not take test from ./fixtures (the panic guard): $unguarded"
# The server, and the admin command the console and messages specs run on their servers' data.
cargo build -p api --bin sportello-local --bin sportello-admin || die "server build failed"
(cd e2e && npx playwright test) || die "end-to-end tests failed (report: e2e/playwright-report)"

step "All tests passed in $((SECONDS - started)) s"
