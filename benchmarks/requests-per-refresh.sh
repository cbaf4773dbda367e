#!/usr/bin/env bash
# Requests per refresh in a new process (benchmarks/results/requests-per-refresh.md): logs in once against the sandbox,
# lets the access token expire, runs `mcpauth token <server>` as a new process and counts the requests the
# authorization server and the MCP server received for it, by endpoint.
# Usage (from the repository root): benchmarks/requests-per-refresh.sh [rounds, default 3] [mcpauth command, default the built CLI]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
dotnet build -c Release benchmarks/RequestsPerRefresh -nologo -v quiet
if [ "$#" -eq 0 ]; then
  dotnet build -c Release src/McpAuth.Cli -nologo -v quiet
  set -- dotnet src/McpAuth.Cli/bin/Release/net10.0/McpAuth.Cli.dll
fi
dotnet benchmarks/RequestsPerRefresh/bin/Release/net10.0/RequestsPerRefresh.dll "$rounds" -- "$@"
