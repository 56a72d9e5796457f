#!/usr/bin/env bash
# Serves the app at http://127.0.0.1:8080/ with live rebuilds (README
# command 1). Installs the build tools first when missing (scripts/setup.sh).
#
#   bash scripts/serve.sh                # release build (small, fast app)
#   PORT=9000 bash scripts/serve.sh      # another port
#   bash scripts/serve.sh --open         # extra arguments go to trunk serve
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"

# Offline (Trunk.toml): cargo builds --offline and Trunk downloads nothing.
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}" "$@"
