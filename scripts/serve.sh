#!/usr/bin/env bash
# Installs what is needed, builds the SPA and the server, and runs Sportello locally on SQLite.
# Usage: scripts/serve.sh   (SPORTELLO_ADDR, SPORTELLO_DATA_DIR, … override the defaults)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_run_tools
step "Building the SPA"
bash scripts/build-spa.sh
step "Building the server"
cargo build --profile release-server -p api --bin sportello-local --bin sportello-admin || die "server build failed"

step "Starting Sportello"
export SPORTELLO_DEV_MODE="${SPORTELLO_DEV_MODE:-1}" # the local run is a development run (outbox, etc.)
export SPORTELLO_SPA_DIR="${SPORTELLO_SPA_DIR:-$ROOT/dist}"
export SPORTELLO_DATA_DIR="${SPORTELLO_DATA_DIR:-$ROOT/data}"

# A PIN is issued only to a person in the population registry (docs/adr/0013). In dev mode the
# registry is made-up people: generate them, import them (idempotent: a re-run updates), and
# show a few to try.
if [ "$SPORTELLO_DEV_MODE" = "1" ]; then
  step "Loading the synthetic population registry"
  residents="$SPORTELLO_DATA_DIR/synthetic-residents.csv"
  mkdir -p "$SPORTELLO_DATA_DIR"
  "$ROOT/target/release-server/sportello-admin" registry synthetic 1000 > "$residents" || die "cannot generate residents"
  "$ROOT/target/release-server/sportello-admin" registry import "$residents" || die "registry import failed"
  echo "Made-up residents to request a PIN for (codice fiscale, name, born, residence):"
  awk -F, 'BEGIN { split("H501 Roma F205 Milano F839 Napoli L219 Torino G273 Palermo A944 Bologna D612 Firenze", p, " "); for (i = 1; i < 14; i += 2) place[p[i]] = p[i + 1] }
    NR > 1 && NR <= 4 { printf "  %s  %s %s (%s), born %s in %s; resident in %s, %s %s\n", $1, $2, $3, $4, $5, place[$6], $7, $8, $9 }' "$residents"
fi
exec "$ROOT/target/release-server/sportello-local"
