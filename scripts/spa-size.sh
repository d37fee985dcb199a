#!/usr/bin/env bash
# Measures what a phone downloads on first load of each entry bundle of the SPA in dist/ (ADR 0008):
#   public: index.html + style.css + boot.js + frontend.js + frontend_bg.wasm
#   area:   area.html  + style.css + area.css + area-boot.js + area.js + area_bg.wasm
#   console: console.html + style.css + console.css + console-boot.js + console.js + console_bg.wasm
#   queue:  queue.html + style.css + queue-boot.js + queue.js + queue_bg.wasm
# raw, gzip and brotli bytes per file, with totals per bundle: the sizes of the compressed copies
# the server sends (FILE.gz, FILE.br, written by scripts/fingerprint-spa.sh), so the gate measures
# what is on the wire. Files are named here as the build first writes them; in dist/ the wasm,
# css and js carry a content hash (frontend_bg.wasm is frontend_bg.HASH.wasm). Fails when a
# bundle's brotli total is over its budget or when dist/ is missing a piece. The budgets are a product decision:
# the public bundle is every citizen's first load on a phone (150 KB, aiming at 120); the area
# 160 KB; the Contact Center's console, used on desktops, 250 KB; the waiting room, which on click
# day is every citizen's first load on a phone, the public bundle's 150 KB. Fails too when the
# room's page is linked into a bundle other than its own (ADR 0022: it was taken out of the public
# bundle for the first load's sake).
# Usage: scripts/spa-size.sh [DIST_DIR]   (run scripts/build-spa.sh first)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist}"
AIM_PUBLIC=122880 # what the public bundle aims at (reported, not enforced)

# name:budget in bytes of brotli, all first-load files together:files of its first load
BUNDLES=(
  "public:153600:index.html style.css boot.js frontend.js frontend_bg.wasm"
  "area:163840:area.html style.css area.css area-boot.js area.js area_bg.wasm"
  "console:256000:console.html style.css console.css console-boot.js console.js console_bg.wasm"
  "queue:153600:queue.html style.css queue-boot.js queue.js queue_bg.wasm"
)

missing() { echo "FAILED: $1 is missing: run scripts/build-spa.sh" >&2; exit 1; }

# served_name FILE: the name FILE has in dist/ (HTML as is; wasm, css and js with their hash),
# checked to have its compressed copies beside it.
served_name() {
  local file="$1" stem="${1%.*}" ext="${1##*.}" found=()
  if [ "$ext" = html ]; then
    found=("$DIST/$file")
  else
    shopt -s nullglob
    found=("$DIST/$stem".????????????????."$ext")
    shopt -u nullglob
  fi
  [ "${#found[@]}" -eq 1 ] && [ -f "${found[0]}" ] || missing "$DIST/$stem.HASH.$ext (exactly one)"
  [ -f "${found[0]}.br" ] || missing "${found[0]}.br"
  [ -f "${found[0]}.gz" ] || missing "${found[0]}.gz"
  basename "${found[0]}"
}

failed=0
for entry in "${BUNDLES[@]}"; do
  name="${entry%%:*}"
  rest="${entry#*:}"
  BUDGET="${rest%%:*}"
  read -r -a files <<<"${rest#*:}"
  served=()
  for required in "${files[@]}"; do
    name_in_dist="$(served_name "$required")" || exit 1
    served+=("$name_in_dist")
  done
  total_raw=0 total_gz=0 total_br=0
  echo "== bundle: $name"
  printf '%-36s %10s %10s %10s\n' file raw gzip-9 brotli
  for file in "${served[@]}"; do
    raw=$(stat -c %s "$DIST/$file")
    gz=$(stat -c %s "$DIST/$file.gz")
    br=$(stat -c %s "$DIST/$file.br")
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
    printf '%-36s %10d %10d %10d\n' "$file" "$raw" "$gz" "$br"
  done
  printf '%-36s %10d %10d %10d\n' TOTAL "$total_raw" "$total_gz" "$total_br"
  printf 'budget: %d bytes brotli (%d%% used)\n' "$BUDGET" $((total_br * 100 / BUDGET))
  if [ "$name" = public ]; then
    printf 'aim: %d bytes brotli (%d%% of it)\n' "$AIM_PUBLIC" $((total_br * 100 / AIM_PUBLIC))
  fi
  if [ "$total_br" -gt "$BUDGET" ]; then
    echo "FAILED: the $name bundle's first load is $total_br bytes brotli, over the $BUDGET budget" >&2
    failed=1
  fi
done

# The room's page polls this address; only its bundle's wasm may name it.
ROOM_MARK=/api/queue/status
echo "== the waiting room's page ($ROOM_MARK) is in the queue bundle only"
for wasm in frontend_bg area_bg console_bg queue_bg; do
  file="$DIST/$(served_name "$wasm.wasm")" || exit 1
  if grep -qaF "$ROOM_MARK" "$file"; then found=yes; else found=no; fi
  printf '%-36s %s\n' "$(basename "$file")" "$found"
  if [ "$wasm" = queue_bg ] && [ "$found" = no ]; then
    echo "FAILED: the queue bundle's wasm does not name $ROOM_MARK: has the room's page moved?" >&2
    failed=1
  elif [ "$wasm" != queue_bg ] && [ "$found" = yes ]; then
    echo "FAILED: $(basename "$file") carries the waiting room's page, which is the queue bundle's alone" >&2
    failed=1
  fi
done
exit "$failed"
