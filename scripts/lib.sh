# Shared helpers for Sportello's scripts: progress lines, loud failures, and idempotent installs of
# everything the project needs on a fresh machine (each step skips itself when already done).
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
WASM_BINDGEN_VERSION="0.2.130" # must equal the wasm-bindgen version in Cargo.lock

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\n\033[1;31mFAILED: %s\033[0m\n' "$*" >&2; exit 1; }

# Runs as root here; uses sudo on a developer machine where that is how to become root.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
ensure_apt() { # ensure_apt COMMAND PACKAGE
  if command -v "$1" >/dev/null 2>&1; then return; fi
  info "installing Debian package $2"
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq || die "apt-get update failed"; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "apt-get install $2 failed"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    info "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || die "rustup target add wasm32-unknown-unknown failed"
  fi
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    info "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Not --locked: its lockfile pins a crate version the registry here lacks (see TOOLCHAIN.md).
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force || die "cargo install wasm-bindgen-cli failed"
  fi
}

ensure_node() {
  command -v node >/dev/null || ensure_apt node nodejs
  command -v npm >/dev/null || ensure_apt npm npm
}

ensure_npm_deps() { # ensure_npm_deps DIR: npm ci when node_modules is missing or older than the lockfile
  local dir="$ROOT/$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    info "npm ci in $1"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in $1 failed"
  fi
}

# What building and running the service needs.
ensure_run_tools() {
  step "Checking tools for building and running"
  ensure_rust
  ensure_wasm_bindgen
  ensure_node
  ensure_npm_deps frontend
  info "ok: $(cargo --version), wasm-bindgen $WASM_BINDGEN_VERSION, node $(node --version)"
}

# Test tools from PyPI live in a virtual environment of the project's (target/pytools), whose
# python3 comes first on PATH for the tests: no system Python is touched (Debian's refuses pip).
ensure_python_venv() {
  local venv="$ROOT/target/pytools"
  if [ ! -x "$venv/bin/python3" ]; then
    info "creating the Python tools environment in target/pytools"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      info "installing Debian package python3-venv"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || die "apt-get install python3-venv failed"
      python3 -m venv "$venv" || die "python3 -m venv failed"
    fi
  fi
  export PATH="$venv/bin:$PATH"
}

ensure_pip() { # ensure_pip MODULE PACKAGE==VERSION (into the tools environment)
  ensure_python_venv
  if ! python3 -c "import $1" >/dev/null 2>&1; then
    info "installing PyPI package $2"
    python3 -m pip install --quiet --disable-pip-version-check "$2" || die "pip install $2 failed"
  fi
}

# What the whole test suite needs, on top of the run tools.
ensure_test_tools() {
  ensure_run_tools
  step "Checking tools for testing"
  ensure_apt chromium chromium
  ensure_apt brotli brotli
  ensure_apt sqlite3 sqlite3 # the load e2e counts the applications in the server's SQLite file
  ensure_pip aiosmtpd aiosmtpd==1.4.6 # a real SMTP server for the e-mail/PEC delivery test
  ensure_pip moto.server 'moto[server]==5.2.1' # DynamoDB for the store contract tests (moto.server: the extras too)
  ensure_npm_deps e2e
  ensure_npm_deps e2e/oidc # the local OpenID provider standing in for SPID and CIE (Rust tests and e2e)
  info "ok: $(/usr/bin/chromium --version 2>/dev/null)"
}

# The SPID/CIE test federation (spid-cie-oidc, Django) in a virtual environment of its own
# (target/federation): its pins (e2e/federation/requirements.txt) would fight the test tools'
# over cryptography and friends. Reinstalled when the pins change.
ensure_federation_venv() {
  ensure_python_venv
  local venv="$ROOT/target/federation" pins="$ROOT/e2e/federation/requirements.txt"
  [ -x "$venv/bin/python3" ] || python3 -m venv "$venv" || die "python3 -m venv target/federation failed"
  if ! cmp -s "$pins" "$venv/installed-requirements.txt"; then
    info "installing the test federation's PyPI packages (spid-cie-oidc and its pins)"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$pins" \
      || die "pip install -r e2e/federation/requirements.txt failed"
    cp "$pins" "$venv/installed-requirements.txt"
  fi
  FEDERATION_PYTHON="$venv/bin/python3"
}

ensure_pip_version() { # ensure_pip_version DISTRIBUTION VERSION (exactly that version, into the tools environment)
  ensure_python_venv
  if [ "$(python3 -m pip show "$1" 2>/dev/null | awk '/^Version:/ {print $2}')" != "$2" ]; then
    info "installing PyPI package $1==$2"
    python3 -m pip install --quiet --disable-pip-version-check "$1==$2" || die "pip install $1==$2 failed"
  fi
}

ensure_cargo_install() { # ensure_cargo_install CRATE VERSION: a cargo-installed tool at exactly that version
  if ! cargo install --list | grep -qx "$1 v$2:"; then
    info "installing $1 $2 with cargo install (a few minutes, once)"
    cargo install "$1" --locked --version "$2" || die "cargo install $1 $2 failed"
  fi
}

ensure_rust_target() { # ensure_rust_target TRIPLE
  if ! rustup target list --installed | grep -qx "$1"; then
    info "adding the $1 target"
    rustup target add "$1" || die "rustup target add $1 failed"
  fi
}

# What checking the AWS templates needs: cfn-lint (PyPI) and cfn-guard (crates.io).
ensure_infra_tools() {
  ensure_pip_version cfn-lint 1.58.0
  ensure_cargo_install cfn-guard 3.2.1
  info "ok: $(cfn-lint --version), $(cfn-guard --version)"
}

# What cross-building the Lambda bootstrap for arm64 needs: the target, zig (PyPI) as the C
# compiler and linker, and cargo-zigbuild to drive it.
ensure_lambda_tools() {
  ensure_rust_target aarch64-unknown-linux-gnu
  ensure_pip_version ziglang 0.15.2
  ensure_cargo_install cargo-zigbuild 0.24.1
  info "ok: $(cargo-zigbuild --version), zig $(python3 -m ziglang version)"
}
