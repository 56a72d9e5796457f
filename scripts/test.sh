#!/usr/bin/env bash
# Runs every check and test of mqlab, and fails if any fails (README command 2;
# CI runs it through .ci/run).
#
#   bash scripts/test.sh              # everything, in this order:
#       fmt      cargo fmt --all --check
#       clippy   cargo clippy --workspace --all-targets -- -D warnings
#       test     cargo test --workspace                      (native)
#       brokers  the fidelity suite: every fidelity/scripts/*.mqs on the
#                engine and on a real RabbitMQ (and Redis), compared
#                (scripts/brokers.sh starts and stops both servers)
#       wasm     wasm-bindgen tests in headless Chromium:
#                  -p mqlab-engine --test wasm_golden, -p mqlab-components --test browser
#       build    trunk build --release                       (into dist/)
#       size     scripts/size-budget.sh   (gzip budgets: total 350 KB, base 280 KB)
#       e2e      node --test in tests/e2e, every *.test.mjs  (Playwright + Chromium)
#   bash scripts/test.sh e2e          # only the named steps (any of the above);
#   bash scripts/test.sh build e2e    # e2e alone uses the dist/ already built
#
# Every step runs even when an earlier one failed (except those that need
# the build); the exit code is non-zero if anything failed. The last line is
# `N passed, M failed`: tests counted from cargo's and node's own summaries,
# plus one failure for each failed step that reported no failed test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_STEPS=(fmt clippy test brokers wasm build size e2e)
if [ "$#" -gt 0 ]; then
  STEPS=("$@")
  for s in "${STEPS[@]}"; do
    case " ${ALL_STEPS[*]} " in
      *" $s "*) ;;
      *)
        echo "test.sh: unknown step '$s' (steps: ${ALL_STEPS[*]})" >&2
        exit 2
        ;;
    esac
  done
else
  STEPS=("${ALL_STEPS[@]}")
fi
wants() { case " ${STEPS[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac }

T0=$SECONDS
echo "=== setup ==="
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh" --test

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# wasm-bindgen-test-runner's default (20 s) is short for a cold Chromium.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"

LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/mqlab-test.XXXXXX")"
trap 'rm -rf "$LOGDIR"' EXIT

TOTAL_PASSED=0
TOTAL_FAILED=0
RESULTS=()
BUILD_OK=0

# Adds the test counts printed in log file $1 to the totals; sets STEP_PASSED
# and STEP_FAILED.
count_tests() {
  local counts
  counts="$(awk '
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^passed;?$/) p += $i
        if ($(i + 1) ~ /^failed;?$/) f += $i
      }
    }
    /^(# |ℹ )pass [0-9]+$/ { p += $NF }
    /^(# |ℹ )fail [0-9]+$/ { f += $NF }
    END { printf "%d %d\n", p, f }
  ' "$1")"
  STEP_PASSED="${counts% *}"
  STEP_FAILED="${counts#* }"
}

# run_step NAME COMMAND...: prints a header, runs the command (output to the
# terminal and to a log), records the result; never exits.
run_step() {
  local name="$1"
  shift
  local log="$LOGDIR/$name.log" t=$SECONDS rc
  echo
  echo "=== $name: $* ==="
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  count_tests "$log"
  TOTAL_PASSED=$((TOTAL_PASSED + STEP_PASSED))
  TOTAL_FAILED=$((TOTAL_FAILED + STEP_FAILED))
  local tests=""
  if [ "$((STEP_PASSED + STEP_FAILED))" -gt 0 ]; then
    tests=" ($STEP_PASSED passed, $STEP_FAILED failed)"
  fi
  if [ "$rc" -eq 0 ]; then
    RESULTS+=("ok      $name$tests, $((SECONDS - t)) s")
  else
    [ "$STEP_FAILED" -gt 0 ] || TOTAL_FAILED=$((TOTAL_FAILED + 1))
    RESULTS+=("FAILED  $name$tests, exit $rc, $((SECONDS - t)) s")
  fi
  return "$rc"
}

note() {
  echo
  echo "=== $1 ==="
  echo "$2"
  RESULTS+=("skipped $1: $2")
}

if wants fmt; then run_step fmt cargo fmt --all --check || true; fi
if wants clippy; then run_step clippy cargo clippy --workspace --all-targets -- -D warnings || true; fi
if wants test; then run_step test cargo test --workspace || true; fi
if wants brokers; then
  run_step brokers bash scripts/brokers.sh run cargo run -q -p mqlab-fidelity || true
fi

if wants wasm; then
  if [ -f engine/tests/wasm_golden.rs ]; then
    run_step wasm-engine cargo test --target wasm32-unknown-unknown -p mqlab-engine --test wasm_golden || true
  else
    note wasm-engine "engine/tests/wasm_golden.rs does not exist yet"
  fi
  if [ -f components/tests/browser.rs ]; then
    run_step wasm-components cargo test --target wasm32-unknown-unknown -p mqlab-components --test browser || true
  else
    note wasm-components "components/tests/browser.rs does not exist yet"
  fi
fi

if wants build; then
  if run_step build trunk build --release; then BUILD_OK=1; fi
elif [ -f dist/index.html ]; then
  BUILD_OK=1 # use the dist/ built before
fi

if wants size; then
  if [ "$BUILD_OK" = 1 ]; then
    run_step size bash scripts/size-budget.sh dist || true
  else
    note size "no dist/ to measure (the build failed or did not run)"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
fi

if wants e2e; then
  E2E_FILES=(harness.test.mjs)
  if [ "$BUILD_OK" = 1 ]; then
    # Every test file (a new one is in the gate without an edit here).
    mapfile -t _app_tests < <(cd tests/e2e && ls -- *.test.mjs | grep -vx harness.test.mjs)
    E2E_FILES+=("${_app_tests[@]}")
  else
    note e2e-app "no dist/ to test (the build failed or did not run): only the harness tests run"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
  run_step e2e bash -c 'cd tests/e2e && exec node --test --test-concurrency=1 --test-reporter=spec "$@"' e2e "${E2E_FILES[@]}" || true
fi

echo
echo "=== summary ($((SECONDS - T0)) s) ==="
printf '%s\n' "${RESULTS[@]}"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
