#!/usr/bin/env bash
# Drives one stdio MCP proxy the way a desktop client starts it: spawns COMMAND, sends initialize, then
# notifications/initialized and tools/list, and closes stdin once the tools/list answer is in (the proxy then exits).
# Appends the milliseconds from spawn to that answer to $FIRST_ANSWER_LOG when it is set. Exit 1 if no answer came.
# Usage: benchmarks/proxy-first-answer.sh COMMAND [ARG ...]
set -uo pipefail
start=$EPOCHREALTIME
coproc PROXY { exec "$@" 2>/dev/null; }
to_proxy=${PROXY[1]}
from_proxy=${PROXY[0]}
send() { printf '%s\n' "$@" >&"$to_proxy"; }
await_id() {
  local line
  while IFS= read -r line <&"$from_proxy"; do
    case "$line" in *'"id":'"$1"[,}]*) return 0 ;; esac
  done
  return 1
}
send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
await_id 1 || exit 1
send '{"jsonrpc":"2.0","method":"notifications/initialized"}' '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
await_id 2 || exit 1
end=$EPOCHREALTIME
if [ -n "${FIRST_ANSWER_LOG:-}" ]; then
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }' >>"$FIRST_ANSWER_LOG"
fi
exec {to_proxy}>&-
wait
