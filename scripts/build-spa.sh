#!/usr/bin/env bash
# Builds the SPA for release into dist/: four entry bundles from the one frontend crate (ADR 0008,
# 0010, 0022), each with its page, boot script, bindings and wasm —
#   public  (index.html, boot.js, frontend.js, frontend_bg.wasm): start page, PIN request, login;
#   area    (area.html, area.css, area-boot.js, area.js, area_bg.wasm): the application, "Le mie domande";
#   console (console.html, console.css, console-boot.js, console.js, console_bg.wasm): the Contact Center;
#   queue   (queue.html, queue-boot.js, queue.js, queue_bg.wasm): the click-day waiting room /coda —
# and the shared style.css; then every wasm, css and js file gets a content-hashed name and every
# file its brotli and gzip copies (scripts/fingerprint-spa.sh, ADR 0019).
# Per bundle: cargo (wasm32, size profile) → wasm-bindgen --target web → wasm-opt -Oz from npm binaryen 132 (Debian's binaryen 108 miscompiles Leptos 0.8: TOOLCHAIN.md).
# Idempotent; dist/ is replaced only once everything has been built.
# Usage: scripts/build-spa.sh   (SPA_DIST=DIR to build elsewhere than dist/; SPA_FEATURES=panic-probe
# SPA_BUNDLES=frontend for the e2e tests' build that panics on purpose, see frontend/src/panic_page.rs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WASM_OPT="$ROOT/frontend/node_modules/.bin/wasm-opt"
# SPA_DIST moves the output (e.g. for a second checkout's e2e run on the same machine).
DIST="${SPA_DIST:-$ROOT/dist}"
STAGING="$DIST.staging"

# The entry bundles: the cargo binary of each (frontend/src/main.rs, frontend/src/bin/{area,console,queue}.rs).
read -r -a BUNDLES <<<"${SPA_BUNDLES:-frontend area console queue}"
FEATURES=()
[ -z "${SPA_FEATURES:-}" ] || FEATURES=(--features "$SPA_FEATURES")

step "Compiling the frontend's bundles for wasm32 (release profile): ${BUNDLES[*]}"
ensure_rust
bins=()
for bundle in "${BUNDLES[@]}"; do bins+=(--bin "$bundle"); done
cargo build --release -p frontend "${bins[@]}" "${FEATURES[@]}" --target wasm32-unknown-unknown || die "cargo build of the frontend failed"
for bundle in "${BUNDLES[@]}"; do
  wasm="$ROOT/target/wasm32-unknown-unknown/release/$bundle.wasm"
  [ -f "$wasm" ] || die "$wasm was not produced"
done

step "Generating the JavaScript bindings (wasm-bindgen $WASM_BINDGEN_VERSION)"
locked="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ "$locked" = "$WASM_BINDGEN_VERSION" ] || die "Cargo.lock has wasm-bindgen $locked, the scripts expect $WASM_BINDGEN_VERSION"
ensure_wasm_bindgen
rm -rf "$STAGING"
mkdir -p "$STAGING"
for bundle in "${BUNDLES[@]}"; do
  wasm-bindgen --target web --no-typescript --out-dir "$STAGING" \
    "$ROOT/target/wasm32-unknown-unknown/release/$bundle.wasm" || die "wasm-bindgen of $bundle failed"
  # leptos's `csr` feature links server_fn's browser client, whose wasm-streams exports three JS
  # classes (IntoUnderlyingSource, IntoUnderlyingByteSource, IntoUnderlyingSink) for streaming
  # server functions, which this SPA has none of. Exports are roots that LTO cannot drop: their
  # glue goes here, their wasm (about 4.5 KB before brotli) in wasm-opt below (--remove-exports).
  js="$STAGING/$bundle.js"
  sed -i -e '/^export class IntoUnderlying/,/^if (Symbol.dispose) IntoUnderlying/d' \
    -e '/^const IntoUnderlying[A-Za-z]*Finalization = /,/;$/d' "$js"
  ! grep -q 'IntoUnderlying' "$js" || die "$js still names IntoUnderlying*: has wasm-bindgen's output changed?"
done

step "Optimising the wasm for size (wasm-opt -Oz --converge, binaryen 132 from npm), minifying the bindings"
ensure_node
ensure_npm_deps frontend # wasm-opt (binaryen) and esbuild, at the lockfile's versions
[ "$("$WASM_OPT" --version)" = "wasm-opt version 132 (version_132)" ] || die "unexpected $("$WASM_OPT" --version)"
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue"
for bundle in "${BUNDLES[@]}"; do
  module="$STAGING/${bundle}_bg.wasm"
  before=$(stat -c %s "$module")
  # --converge repeats the passes until they stop shrinking the module (~0.3 KB brotli, ~10 s).
  "$WASM_OPT" --remove-exports --pass-arg='remove-exports@*intounderlying*' \
    -Oz --converge $WASM_FEATURES "$module" -o "$STAGING/${bundle}_bg.opt.wasm" || die "wasm-opt of $bundle failed"
  mv "$STAGING/${bundle}_bg.opt.wasm" "$module"
  # Short import/export names in the wasm and the same names in the bindings, which are then
  # minified (scripts/minify-bindings.mjs says why: ~4 KB brotli per bundle).
  # The producers and target-features sections are for toolchains, not browsers.
  "$WASM_OPT" --minify-imports-and-exports-and-modules --strip-producers --strip-target-features $WASM_FEATURES \
    "$module" -o "$STAGING/${bundle}_bg.min.wasm" \
    >"$STAGING/${bundle}.names.json" || die "wasm-opt could not shorten the names of $bundle"
  mv "$STAGING/${bundle}_bg.min.wasm" "$module"
  node scripts/minify-bindings.mjs "$STAGING/${bundle}.names.json" "$STAGING/$bundle.js" "$module" \
    || die "the bindings of $bundle could not be renamed and minified"
  rm "$STAGING/${bundle}.names.json"
  info "$bundle wasm: $before → $(stat -c %s "$module") bytes"
done

step "Assembling dist/, with the first view of each page written in (frontend/src/prerender.rs)"
cp frontend/console.html frontend/style.css frontend/area.css \
  frontend/console.css frontend/boot.js frontend/area-boot.js frontend/console-boot.js frontend/queue-boot.js "$STAGING/"
# The stylesheets without their comments and spaces (esbuild, no syntax lowering): ~0.6 KB brotli
# off each bundle's first load.
for css in "$STAGING"/*.css; do
  "$ROOT/frontend/node_modules/.bin/esbuild" --minify --loader=css --log-level=warning <"$css" >"$css.min" \
    || die "esbuild could not minify $css"
  mv "$css.min" "$css"
done
# A native program of the frontend crate, from the same text tables as the wasm.
cargo run -q -p frontend --bin prerender -- frontend "$STAGING" || die "the first views could not be written"

step "Content-hashed names and compressed copies (scripts/fingerprint-spa.sh, ADR 0019)"
bash scripts/fingerprint-spa.sh "$STAGING"
rm -rf "$DIST"
mv "$STAGING" "$DIST"
for file in "$DIST"/*; do
  case "$file" in *.br | *.gz) continue ;; esac
  info "$(printf '%-36s %8s bytes, %7s brotli' "$(basename "$file")" "$(stat -c %s "$file")" "$(stat -c %s "$file.br")")"
done
step "SPA built in dist/"
