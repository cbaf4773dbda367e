namespace McpAuth.Benchmarks;

/// <summary>The sandbox as a separate process, for benchmarks that drive the shipped <c>mcpauth</c> from a shell.</summary>
internal static class SandboxServer
{
    /// <summary>Starts the sandbox, prints its MCP server URL on one line and serves until stdin closes.</summary>
    public static async Task ServeUntilStdinClosesAsync()
    {
        await using var sandbox = await Sandbox.Sandbox.StartAsync();
        await Console.Out.WriteLineAsync(sandbox.McpServerUrl.ToString());
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
    }
}
