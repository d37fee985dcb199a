#!/usr/bin/env bash
# Builds the Lambda function's `bootstrap` for arm64 (provided.al2023: Amazon Linux 2023, glibc
# 2.34) with cargo-zigbuild and zig from PyPI as the cross C compiler and linker, zips it where
# infra/template.yaml's CodeUri points (target/lambda/<function>/bootstrap.zip), and checks that
# what was zipped is an aarch64 ELF executable. Installs the target and the tools when missing.
# Usage: scripts/package-lambda.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TARGET=aarch64-unknown-linux-gnu
GLIBC=2.34 # Amazon Linux 2023's
PROFILE=release-server # speed over bytes, and a quicker build than the SPA's size profile
# function name in the template's CodeUri -> binary of the api crate
declare -A FUNCTIONS=([sportello-api]=sportello-lambda)

step "Checking tools for the arm64 Lambda build"
ensure_lambda_tools

for function in "${!FUNCTIONS[@]}"; do
  bin="${FUNCTIONS[$function]}"
  step "Building $bin for $TARGET (glibc $GLIBC, profile $PROFILE)"
  cargo zigbuild -p api --bin "$bin" --target "$TARGET.$GLIBC" --profile "$PROFILE" \
    || die "cargo zigbuild of $bin failed"
  built="target/$TARGET/$PROFILE/$bin"
  [ -f "$built" ] || die "no binary at $built"

  # ELF header: magic, 64-bit (EI_CLASS=2), little-endian (EI_DATA=1), executable or PIE
  # (e_type 2 or 3), machine AArch64 (e_machine=183).
  python3 - "$built" <<'PY' || die "$built is not an aarch64 ELF executable"
import struct, sys
with open(sys.argv[1], "rb") as f:
    h = f.read(20)
assert h[:4] == b"\x7fELF", "not ELF"
assert h[4] == 2 and h[5] == 1, "not 64-bit little-endian"
e_type, e_machine = struct.unpack_from("<HH", h, 16)
assert e_type in (2, 3), f"e_type {e_type} is not an executable"
assert e_machine == 183, f"e_machine {e_machine} is not AArch64 (183)"
print(f"    {sys.argv[1]}: ELF64 little-endian, e_type {e_type}, e_machine {e_machine} (AArch64)")
PY
  max_glibc="$(strings -a "$built" 2>/dev/null | sed -nE 's/^GLIBC_([0-9]+\.[0-9]+).*/\1/p' | sort -V | tail -1 || true)"
  if [ -n "$max_glibc" ]; then
    [ "$(printf '%s\n%s\n' "$max_glibc" "$GLIBC" | sort -V | tail -1)" = "$GLIBC" ] \
      || die "$built needs glibc $max_glibc, newer than Amazon Linux 2023's $GLIBC"
    info "needs glibc $max_glibc at most (Amazon Linux 2023 has $GLIBC)"
  fi

  out="target/lambda/$function"
  mkdir -p "$out"
  # A zip holding one file, `bootstrap`, mode 755 (Lambda runs it), with a fixed timestamp so that
  # the same binary gives the same zip (and SAM sees no change).
  python3 - "$built" "$out/bootstrap.zip" <<'PY' || die "cannot write $out/bootstrap.zip"
import sys, zipfile
built, zip_path = sys.argv[1:]
info = zipfile.ZipInfo("bootstrap", date_time=(2020, 3, 17, 0, 0, 0))
info.external_attr = (0o100755 << 16)
info.compress_type = zipfile.ZIP_DEFLATED
with open(built, "rb") as f, zipfile.ZipFile(zip_path, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
with zipfile.ZipFile(zip_path) as z:
    assert z.namelist() == ["bootstrap"], z.namelist()
    assert (z.getinfo("bootstrap").external_attr >> 16) & 0o111, "bootstrap is not executable"
PY
  info "$out/bootstrap.zip: $(du -k "$out/bootstrap.zip" | cut -f1) KB zipped, $(du -k "$built" | cut -f1) KB unzipped"
done
