#!/usr/bin/env bash
# Installs what is needed, builds the SPA and the server, and runs Sportello locally on SQLite.
# Usage: scripts/serve.sh   (SPORTELLO_ADDR, SPORTELLO_DATA_DIR, … override the defaults)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_run_tools
step "Building the SPA"
bash scripts/build-spa.sh
step "Building the server"
cargo build --profile release-server -p api --bin sportello-local || die "server build failed"

step "Starting Sportello"
export SPORTELLO_DEV_MODE="${SPORTELLO_DEV_MODE:-1}" # the local run is a development run (outbox, etc.)
export SPORTELLO_SPA_DIR="${SPORTELLO_SPA_DIR:-$ROOT/dist}"
export SPORTELLO_DATA_DIR="${SPORTELLO_DATA_DIR:-$ROOT/data}"
exec "$ROOT/target/release-server/sportello-local"
