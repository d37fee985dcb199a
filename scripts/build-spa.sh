#!/usr/bin/env bash
# Builds the SPA for release into dist/ (index.html, style.css, boot.js, frontend.js,
# frontend_bg.wasm): cargo (wasm32, size profile) → wasm-bindgen --target web → wasm-opt -Oz from
# npm binaryen 132 (Debian's binaryen 108 miscompiles Leptos 0.8: see shared TOOLCHAIN.md).
# Idempotent; dist/ is replaced only once everything has been built.
# Usage: scripts/build-spa.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WASM_OPT="$ROOT/frontend/node_modules/.bin/wasm-opt"
STAGING="$ROOT/target/spa-staging"
DIST="$ROOT/dist"

step "Compiling the frontend for wasm32 (release profile)"
ensure_rust
cargo build --release -p frontend --bin frontend --target wasm32-unknown-unknown || die "cargo build of the frontend failed"
wasm="$ROOT/target/wasm32-unknown-unknown/release/frontend.wasm"
[ -f "$wasm" ] || die "$wasm was not produced"

step "Generating the JavaScript bindings (wasm-bindgen $WASM_BINDGEN_VERSION)"
locked="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ "$locked" = "$WASM_BINDGEN_VERSION" ] || die "Cargo.lock has wasm-bindgen $locked, the scripts expect $WASM_BINDGEN_VERSION"
ensure_wasm_bindgen
rm -rf "$STAGING"
mkdir -p "$STAGING"
wasm-bindgen --target web --no-typescript --out-dir "$STAGING" "$wasm" || die "wasm-bindgen failed"

step "Optimising the wasm for size (wasm-opt -Oz --converge, binaryen 132 from npm)"
if [ ! -x "$WASM_OPT" ]; then
  info "installing frontend build tools (npm ci)"
  npm ci --prefix frontend --no-audit --no-fund --loglevel=error || die "npm ci in frontend/ failed"
fi
[ "$("$WASM_OPT" --version)" = "wasm-opt version 132 (version_132)" ] || die "unexpected $("$WASM_OPT" --version)"
before=$(stat -c %s "$STAGING/frontend_bg.wasm")
# --converge repeats the passes until they stop shrinking the module (~0.3 KB brotli, ~10 s).
"$WASM_OPT" -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$STAGING/frontend_bg.wasm" -o "$STAGING/frontend_bg.opt.wasm" || die "wasm-opt failed"
mv "$STAGING/frontend_bg.opt.wasm" "$STAGING/frontend_bg.wasm"
info "wasm: $before → $(stat -c %s "$STAGING/frontend_bg.wasm") bytes"

step "Assembling dist/"
cp frontend/index.html frontend/style.css frontend/boot.js "$STAGING/"
rm -rf "$DIST"
mv "$STAGING" "$DIST"
for file in "$DIST"/*; do info "$(printf '%-20s %8s bytes' "$(basename "$file")" "$(stat -c %s "$file")")"; done
step "SPA built in dist/"
