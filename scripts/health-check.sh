#!/usr/bin/env bash
# Exits 0 when the Helix server of this data home is running and reports itself healthy, 1
# otherwise (not running, unreachable, or degraded), printing one line either way. Suitable for
# container and supervisor health checks. Honours HELIX_HOME (default ~/.helix).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home_args=()
if [[ -n "${HELIX_HOME:-}" ]]; then home_args=(--home "$HELIX_HOME"); fi

# `hx server status` exits 3 when no server is running; its JSON says why either way
rc=0
status_json="$(node "$repo/bin/hx.js" ${home_args[@]+"${home_args[@]}"} server status --json 2>&1)" || rc=$?

node --input-type=module -e '
  let s;
  try {
    s = JSON.parse(process.argv[1]);
  } catch {
    console.log(`unhealthy: ${process.argv[1].trim() || "no answer from hx server status"}`);
    process.exit(1);
  }
  if (!s.running) {
    console.log(`unhealthy: Helix is not running (data in ${s.home ?? "?"})`);
    process.exit(1);
  }
  const h = s.health ?? {};
  if (h.status === "ok") {
    console.log(`healthy: Helix ${h.version ?? ""} on ${s.url} (pid ${s.pid}, up ${h.uptime_secs ?? "?"}s)`);
    process.exit(0);
  }
  console.log(`unhealthy: Helix on ${s.url} reports ${h.status ?? "nothing"}${h.error ? `: ${h.error}` : ""}`);
  process.exit(1);
' "$status_json" || exit 1
# a running, healthy server: hx itself must have agreed
exit "$rc"
