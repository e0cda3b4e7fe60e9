#!/usr/bin/env bash
# Starts the Helix server in the background (`hx server start`); extra arguments are passed on,
# e.g. `scripts/start.sh --port 9471`. Honours HELIX_HOME (default ~/.helix).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home_args=()
if [[ -n "${HELIX_HOME:-}" ]]; then home_args=(--home "$HELIX_HOME"); fi

# a fresh checkout has no dist/ yet; hx would only tell us to build
if [[ ! -f "$repo/dist/cli/main.js" ]]; then
  echo "building Helix first…" >&2
  (cd "$repo" && npm run --silent build)
fi

exec node "$repo/bin/hx.js" ${home_args[@]+"${home_args[@]}"} server start "$@"
