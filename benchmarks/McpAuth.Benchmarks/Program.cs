using BenchmarkDotNet.Running;
using McpAuth.Benchmarks;

// `serve-sandbox` starts the sandbox, prints its MCP server URL and serves until stdin closes: benchmarks/startup.sh
// imports a credential against it with the native mcpauth, then times `mcpauth token` on that stored credential.
if (args is ["serve-sandbox"])
{
    await SandboxServer.ServeUntilStdinClosesAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
