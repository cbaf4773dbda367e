#!/usr/bin/env bash
# Start-up of what users run: the shipped `mcpauth token <server>` (NativeAOT, scripts/publish-native) with a fresh
# stored token, against an empty NativeAOT console program that prints a line (benchmarks/EmptyConsole, published
# the same way). The credential is stored as a user would store it: `mcpauth import` (the token on stdin) against the
# sandbox (McpAuth.Benchmarks serve-sandbox, stopped before the timing), so `token` reads the store and sends nothing.
# The two programs run in turn (A B A B ...); printed: the median CPU time (perf stat task-clock, user + sys: steadier
# than wall time on a shared machine) and the median wall time of each, and the ratios of the medians.
# Usage (from the repository root): benchmarks/startup.sh [runs, default 41] [mcpauth to time, default: publish it]
# Needs perf (Debian: apt-get install linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-41}"
cli="${2:-}"
command -v perf >/dev/null || { echo "startup.sh: perf is missing (Debian: apt-get install linux-perf)" >&2; exit 1; }

if [ -z "$cli" ]; then
  cli="$(scripts/publish-native)"
fi
dotnet publish benchmarks/EmptyConsole/EmptyConsole.csproj -c Release -r linux-x64 -p:PublishAot=true \
  -o artifacts/startup/empty --nologo -v quiet -clp:NoSummary >&2
empty=artifacts/startup/empty/EmptyConsole
dotnet build benchmarks/McpAuth.Benchmarks -c Release --nologo -v quiet -clp:NoSummary >&2
# Build servers left running by the builds above would share the CPU with what is measured.
dotnet build-server shutdown >/dev/null 2>&1 || true

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export MCPAUTH_HOME="$home"
token=startup-benchmark-access-token
coproc SANDBOX { exec dotnet benchmarks/McpAuth.Benchmarks/bin/Release/net10.0/McpAuth.Benchmarks.dll serve-sandbox; }
read -r -t 120 server <&"${SANDBOX[0]}"
printf '%s\n' "$token" | "$cli" import "$server" --access-token - --client-id startup-benchmark \
  --expires-at "$(( $(date +%s) + 30 * 86400 ))" >/dev/null
eval "exec ${SANDBOX[1]}>&-"   # its stdin closed: the sandbox stops
wait "$SANDBOX_PID"
test "$("$cli" token "$server")" = "$token"
echo "timing: $cli token $server (MCPAUTH_HOME=$home) against $empty, $runs runs each" >&2

# One run: "cpu_ms wall_ms" from perf stat.
measure() {
  perf stat -e task-clock "$@" 2>&1 >/dev/null | awk '
    /task-clock/ { cpu = $1 } /seconds time elapsed/ { wall = $1 * 1000 } END { printf "%s %.3f\n", cpu, wall }'
}
: >"$home/empty.txt"; : >"$home/token.txt"
for _ in $(seq "$runs"); do
  measure "$empty" >>"$home/empty.txt"
  measure "$cli" token "$server" >>"$home/token.txt"
done
median() { # file column
  cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
e_cpu=$(median "$home/empty.txt" 1); t_cpu=$(median "$home/token.txt" 1)
e_wall=$(median "$home/empty.txt" 2); t_wall=$(median "$home/token.txt" 2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "CPU ms (median of $runs): empty $e_cpu, mcpauth token $t_cpu, ratio $(ratio "$t_cpu" "$e_cpu")"
echo "wall ms (median of $runs): empty $e_wall, mcpauth token $t_wall, ratio $(ratio "$t_wall" "$e_wall")"
