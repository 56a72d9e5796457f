#!/usr/bin/env bash
# Frame-time and load-time benchmark of every built demo and a page of ten
# embeds (not part of test.sh): installs what is missing, builds dist/, runs
# scripts/frame-bench.mjs (see there for the options).
#
#   bash scripts/frame-bench.sh [--seconds N] [--demos a,b] [--load-runs R] [--no-embeds]
#   NO_BUILD=1 bash scripts/frame-bench.sh       (use the dist/ already built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh" --test
[ -n "${NO_BUILD:-}" ] || trunk build --release
exec node scripts/frame-bench.mjs "$@"
