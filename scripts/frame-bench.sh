#!/usr/bin/env bash
# Frame-time benchmark of the peak-shaving demo (not part of test.sh):
# installs what is missing, builds dist/, runs scripts/frame-bench.mjs.
#
#   bash scripts/frame-bench.sh [seconds]        (default 5)
#   NO_BUILD=1 bash scripts/frame-bench.sh       (use the dist/ already built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh" --test
[ -n "${NO_BUILD:-}" ] || trunk build --release
exec node scripts/frame-bench.mjs "$@"
