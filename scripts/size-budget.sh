#!/usr/bin/env bash
# Size budget of the built app: the gzip -9 size of every .wasm, .js and .css
# file in dist/ (what a browser downloads over a compressing server).
# Prints each and the total in KB; fails when the total is above the budget.
#
#   bash scripts/size-budget.sh [DIST_DIR]      (default: dist)
#   SIZE_BUDGET_KB=400 bash scripts/size-budget.sh
set -euo pipefail

DIST="${1:-dist}"
BUDGET_KB="${SIZE_BUDGET_KB:-350}"

[ -d "$DIST" ] || {
  echo "size-budget: $DIST does not exist (run trunk build --release)" >&2
  exit 1
}

mapfile -t FILES < <(find "$DIST" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) | sort)
if ! printf '%s\n' "${FILES[@]}" | grep -q '\.wasm$'; then
  echo "size-budget: no .wasm file in $DIST" >&2
  exit 1
fi

total=0
printf '%10s %10s  %s\n' "raw KB" "gzip KB" "file"
for f in "${FILES[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  awk -v r="$raw" -v g="$gz" -v f="${f#"$DIST"/}" 'BEGIN { printf "%10.1f %10.1f  %s\n", r / 1024, g / 1024, f }'
done
awk -v t="$total" -v b="$BUDGET_KB" 'BEGIN { printf "%10s %10.1f  total (budget %d KB)\n", "", t / 1024, b }'

if [ "$total" -gt $((BUDGET_KB * 1024)) ]; then
  echo "size-budget: FAILED: $((total / 1024)) KB gzip is over the budget of $BUDGET_KB KB" >&2
  exit 1
fi
echo "size-budget: ok"
