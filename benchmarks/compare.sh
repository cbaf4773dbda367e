#!/usr/bin/env bash
# McpAuth side by side with the MCP C# SDK's own OAuth (benchmarks/results/vs-csharp-sdk.md), in both ways an app
# ships: built (every library JIT-compiled at start) and published ReadyToRun for linux-x64 (precompiled, what a
# start-up-sensitive app ships). Both sides always run in the same process tree, against the same sandbox.
# Usage (from the repository root): benchmarks/compare.sh [token-endpoint-latency-ms, default 100] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
latency="${1:-100}"
rounds="${2:-5}"
dotnet build -c Release benchmarks/McpAuth.Comparison -nologo -v quiet
dotnet publish benchmarks/McpAuth.Comparison -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o artifacts/comparison-r2r -nologo -v quiet
# Build servers left running would share the CPU with what is measured.
dotnet build-server shutdown >/dev/null 2>&1 || true
echo "## built (JIT)"
dotnet benchmarks/McpAuth.Comparison/bin/Release/net10.0/McpAuth.Comparison.dll table "$latency" "$rounds"
echo
echo "## published ReadyToRun (linux-x64)"
artifacts/comparison-r2r/McpAuth.Comparison table "$latency" "$rounds"
