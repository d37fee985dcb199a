#!/usr/bin/env bash
# Gives the SPA's assets in DIR content-hashed names and writes the compressed copies a server
# sends (ADR 0019):
#   1. each wasm, css and js file becomes NAME.HASH.EXT (HASH: the first 16 hex digits of its
#      SHA-256), leaves first — the wasm and the css, then the bindings that fetch the wasm, then
#      the boot scripts that import the bindings — and every reference to it in the files that
#      name it (the bindings, the boot scripts, the HTML pages) is rewritten to the new name, so a
#      hash covers what its file loads too;
#   2. every file (the HTML pages included) gets FILE.br (brotli -q 11) and FILE.gz (gzip -9 -n).
# The HTML pages keep their names: they are what a browser asks for by address, and are served
# with `no-cache` and an ETag; the hashed files can be cached for a year (`immutable`), since a
# new build gives new names. Fails when a reference it expects is missing, or when an old name
# is still referenced after the rewrite (a changed wasm-bindgen output would otherwise ship a
# page that loads nothing).
# Usage: scripts/fingerprint-spa.sh DIR   (from scripts/build-spa.sh; brotli and gzip on PATH)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${1:?usage: fingerprint-spa.sh DIR}"
cd "$DIR"
ensure_apt brotli brotli

# What each file's hashed name is, as the HTML pages and the scripts write it.
declare -A HASHED=()

# hash_name FILE: renames FILE to its hashed name and records it.
hash_name() {
  local file="$1" digest stem ext
  digest="$(sha256sum "$file" | cut -c1-16)"
  stem="${file%.*}" ext="${file##*.}"
  mv "$file" "$stem.$digest.$ext"
  HASHED["$file"]="$stem.$digest.$ext"
}

# rewrite FILE NAME...: replaces each NAME referenced in FILE (after a '/' or a quote, before a
# quote: "/style.css", "./frontend.js", 'frontend_bg.wasm') with its hashed name; each NAME must
# be referenced at least once.
rewrite() {
  local file="$1" name
  shift
  for name in "$@"; do
    grep -qE "[/\"']${name//./\\.}[\"']" "$file" || die "$file does not reference $name: has the build's output changed?"
    NAME="$name" HASHED_NAME="${HASHED[$name]}" perl -pi -e \
      's{(?<=[/"\x27])\Q$ENV{NAME}\E(?=["\x27])}{$ENV{HASHED_NAME}}g' "$file"
  done
}

shopt -s nullglob
bundles=()
for bindings in *_bg.wasm; do bundles+=("${bindings%_bg.wasm}"); done
[ "${#bundles[@]}" -gt 0 ] || die "$DIR holds no *_bg.wasm: build the SPA first"

# The boot script of each bundle: the public bundle's is boot.js, the others' BUNDLE-boot.js.
boot_of() { if [ "$1" = frontend ]; then echo boot.js; else echo "$1-boot.js"; fi; }

for css in *.css; do hash_name "$css"; done
for bundle in "${bundles[@]}"; do
  hash_name "${bundle}_bg.wasm"
  rewrite "$bundle.js" "${bundle}_bg.wasm"
  hash_name "$bundle.js"
  boot="$(boot_of "$bundle")"
  [ -f "$boot" ] || die "$DIR has no $boot for the $bundle bundle"
  rewrite "$boot" "$bundle.js"
  hash_name "$boot"
done

for page in *.html; do
  # Each page names its stylesheets and its bundle's boot script, bindings and wasm.
  names=()
  for name in "${!HASHED[@]}"; do
    if grep -qE "[/\"']${name//./\\.}[\"']" "$page"; then names+=("$name"); fi
  done
  [ "${#names[@]}" -gt 0 ] || die "$page references none of the assets"
  rewrite "$page" "${names[@]}"
done

# No file may still name an asset by its old name.
for name in "${!HASHED[@]}"; do
  stale="$(grep -lE "[/\"']${name//./\\.}[\"']" ./*.html ./*.js 2>/dev/null || true)"
  [ -z "$stale" ] || die "still referenced by its old name $name: $stale"
done

for file in *; do
  case "$file" in *.br | *.gz) continue ;; esac
  brotli -q 11 -f -k -o "$file.br" "$file"
  gzip -9 -n -c "$file" >"$file.gz"
done
for name in $(printf '%s\n' "${!HASHED[@]}" | sort); do info "$(printf '%-20s → %s' "$name" "${HASHED[$name]}")"; done
