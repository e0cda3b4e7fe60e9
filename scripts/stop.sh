#!/usr/bin/env bash
# Stops the Helix server recorded in the data home's pid file (`hx server stop`); a server that is
# not running is not an error. Honours HELIX_HOME (default ~/.helix).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home_args=()
if [[ -n "${HELIX_HOME:-}" ]]; then home_args=(--home "$HELIX_HOME"); fi

exec node "$repo/bin/hx.js" ${home_args[@]+"${home_args[@]}"} server stop "$@"
