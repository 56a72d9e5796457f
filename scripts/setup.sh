#!/usr/bin/env bash
# Installs everything mqlab needs to build (and, with --test, to test), and
# skips whatever is already there. Safe to run again and again.
#
#   bash scripts/setup.sh            # build tools: serve / build the app
#   bash scripts/setup.sh --test     # + Chromium, ChromeDriver, CJK font, RabbitMQ, Redis (apt)
#   source scripts/setup.sh [--test] # same, and keeps PATH etc. in this shell
#
# What it sets up (versions are pinned; see /work/shared/TOOLCHAIN.md):
#   - rustup target wasm32-unknown-unknown
#   - trunk 0.21.14                      (cargo install --locked; ~17 min cold)
#   - wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock
#                                        (cargo install, NOT --locked; ~4 min)
#   - tests/e2e/node_modules via `npm ci`: binaryen 132 (wasm-opt),
#     playwright-core, axe-core, esbuild (~5 s)
#   - crates for offline builds          (cargo fetch)
#   - --test only: Debian chromium, chromium-driver, fonts-wqy-microhei,
#     rabbitmq-server 3.10, redis-server 7.0 (for the fidelity suite; none is
#     started here: scripts/brokers.sh starts and stops its own servers)
#     (apt-get update runs once, only when one of them is missing)
# and exports PATH (npm's wasm-opt first, then ~/.cargo/bin),
# TRUNK_SKIP_VERSION_CHECK=true and CHROMEDRIVER.
set -euo pipefail

MQLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MQLAB_ROOT

TRUNK_VERSION="0.21.14"
WASM_OPT_VERSION="132"
APT_TEST_PACKAGES=(chromium chromium-driver fonts-wqy-microhei rabbitmq-server redis-server)

_setup_with_test=0
for _arg in "$@"; do
  case "$_arg" in
    --test) _setup_with_test=1 ;;
    -h | --help)
      sed -n '2,20p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "setup.sh: unknown argument: $_arg" >&2
      exit 2
      ;;
  esac
done

_setup_log() { printf '[setup] %s\n' "$*"; }
_setup_die() {
  printf '[setup] ERROR: %s\n' "$*" >&2
  exit 1
}

_setup_t0=$SECONDS

# ---------------------------------------------------------------- PATH ----
CARGO_BIN="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
case ":$PATH:" in
  *":$CARGO_BIN:"*) ;;
  *) PATH="$CARGO_BIN:$PATH" ;;
esac
NODE_BIN="$MQLAB_ROOT/tests/e2e/node_modules/.bin"
# npm's wasm-opt must come before any other (Debian's binaryen 108 builds a
# blank page).
PATH="$NODE_BIN:${PATH//":$NODE_BIN"/}"
export PATH
export TRUNK_SKIP_VERSION_CHECK=true

command -v cargo >/dev/null || _setup_die "cargo not found (install Rust with rustup)"
command -v rustup >/dev/null || _setup_die "rustup not found"

# --------------------------------------------------------- wasm target ----
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  _setup_log "rust target wasm32-unknown-unknown: present"
else
  _setup_log "rust target wasm32-unknown-unknown: installing"
  rustup target add wasm32-unknown-unknown
fi

# --------------------------------------------------------------- crates ----
# Trunk builds with `cargo build --offline`, so every crate must be local.
# (`cargo fetch` also writes Cargo.lock if it is missing.)
_setup_log "crates: cargo fetch"
(cd "$MQLAB_ROOT" && cargo fetch --quiet)

# ---------------------------------------------------------------- trunk ----
_have_trunk="$(trunk --version 2>/dev/null || true)"
if [ "$_have_trunk" = "trunk $TRUNK_VERSION" ]; then
  _setup_log "trunk $TRUNK_VERSION: present"
else
  _setup_log "trunk $TRUNK_VERSION: installing (found: '${_have_trunk:-none}'; ~17 min on 2 cores)"
  cargo install trunk --locked --version "$TRUNK_VERSION"
fi

# --------------------------------------------------------- wasm-bindgen ----
WASM_BINDGEN_VERSION="$(awk '
  /^\[\[package\]\]/ { in_pkg = 0 }
  /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
  in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
' "$MQLAB_ROOT/Cargo.lock")"
[ -n "$WASM_BINDGEN_VERSION" ] || _setup_die "no wasm-bindgen package in Cargo.lock"
export WASM_BINDGEN_VERSION
_have_wbg="$(wasm-bindgen --version 2>/dev/null || true)"
_have_wbg_runner="$(wasm-bindgen-test-runner --version 2>/dev/null || true)"
if [ "$_have_wbg" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] &&
  [ "$_have_wbg_runner" = "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]; then
  _setup_log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  _setup_log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing (found: '${_have_wbg:-none}'; ~4 min)"
  # Not --locked: its own lockfile wants a webpki-roots the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# ------------------------------------------------------------------ npm ----
command -v node >/dev/null || _setup_die "node not found (Node.js >= 20 is needed)"
command -v npm >/dev/null || _setup_die "npm not found"
_node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$_node_major" -ge 20 ] || _setup_die "Node.js >= 20 needed, found $(node --version)"
_e2e="$MQLAB_ROOT/tests/e2e"
_stamp_file="$_e2e/node_modules/.mqlab-install-stamp"
_stamp="$(cat "$_e2e/package.json" "$_e2e/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$_stamp_file" ] && [ "$(cat "$_stamp_file")" = "$_stamp" ] &&
  [ -x "$NODE_BIN/wasm-opt" ] && [ -d "$_e2e/node_modules/playwright-core" ]; then
  _setup_log "npm packages (binaryen, playwright-core, axe-core, esbuild): present"
else
  _setup_log "npm packages (binaryen, playwright-core, axe-core, esbuild): npm ci in tests/e2e"
  (cd "$_e2e" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$_stamp" >"$_stamp_file"
fi
_wasm_opt_path="$(command -v wasm-opt || true)"
[ "$_wasm_opt_path" = "$NODE_BIN/wasm-opt" ] || _setup_die "wasm-opt on PATH is '$_wasm_opt_path', expected $NODE_BIN/wasm-opt"
case "$(wasm-opt --version)" in
  *"version_$WASM_OPT_VERSION"*) ;;
  *) _setup_die "wasm-opt is '$(wasm-opt --version)', expected version_$WASM_OPT_VERSION (Trunk.toml pins it)" ;;
esac

# ------------------------------------------------------- test packages ----
if [ "$_setup_with_test" = 1 ]; then
  _missing=()
  for _pkg in "${APT_TEST_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$_pkg" 2>/dev/null || true)" != "install ok installed" ]; then
      _missing+=("$_pkg")
    fi
  done
  if [ "${#_missing[@]}" -eq 0 ]; then
    _setup_log "apt packages (${APT_TEST_PACKAGES[*]}): present"
  else
    _setup_log "apt packages: installing ${_missing[*]} (~2 min)"
    _sudo=()
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || _setup_die "need root (or sudo) to apt-get install ${_missing[*]}"
      _sudo=(sudo)
    fi
    "${_sudo[@]}" apt-get update -qq
    "${_sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${_missing[@]}"
  fi
  command -v chromedriver >/dev/null || _setup_die "chromedriver not on PATH"
  [ -x /usr/bin/chromium ] || _setup_die "/usr/bin/chromium missing"
  CHROMEDRIVER="$(command -v chromedriver)"
  export CHROMEDRIVER
fi

_setup_log "ready in $((SECONDS - _setup_t0)) s: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -1)"
