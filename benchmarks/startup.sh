#!/usr/bin/env bash
# Start-up of `mcpauth token` against an empty console program, both published the same way (framework-dependent
# apphost, ReadyToRun for linux-x64), then the BenchmarkDotNet comparison (TokenCommandStartupBenchmarks, Ratio column)
# and the CPU time of each (user + sys, median of N runs), which is steadier than wall time on a loaded machine.
# Usage (from the repository root): benchmarks/startup.sh [runs for the CPU-time median, default 21]
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/startup
publish() {
  dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$2" -nologo -v quiet
}
publish src/McpAuth.Cli/McpAuth.Cli.csproj "$out/cli"
publish benchmarks/EmptyConsole/EmptyConsole.csproj "$out/empty"
dotnet build -c Release benchmarks/McpAuth.Benchmarks -nologo -v quiet
# Build servers left running by the builds above would share the CPU with what is measured.
dotnet build-server shutdown >/dev/null 2>&1 || true
dotnet run -c Release --no-build --project benchmarks/McpAuth.Benchmarks -- --filter '*TokenCommandStartup*'

# CPU time (perf task-clock, ms): median of N runs each, same home and token as the benchmark.
runs="${1:-21}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
dotnet run -c Release --no-build --project benchmarks/McpAuth.Benchmarks -- store-token "$home"
test "$(MCPAUTH_HOME="$home" "$out/cli/mcpauth" token https://mcp.example.test/mcp)" = startup-benchmark-access-token
cpu_median() {
  for _ in $(seq "$runs"); do
    MCPAUTH_HOME="$home" perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
empty=$(cpu_median "$out/empty/EmptyConsole")
token=$(cpu_median "$out/cli/mcpauth" token https://mcp.example.test/mcp)
echo "CPU ms (median of $runs): empty console $empty, mcpauth token $token, ratio $(awk -v a="$token" -v b="$empty" 'BEGIN { printf "%.2f", a / b }')"
