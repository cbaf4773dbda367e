using McpAuth.Sandbox;

namespace McpAuth.Comparison;

/// <summary>
/// Diagnostics for lines 2 and 3b with an outside timer: starts the sandbox, logs both sides in once (McpAuth into
/// <c>root/mcpauth</c>, the SDK into <c>root/sdk.json</c>), prints the two <c>child</c> commands that start a new
/// process with those stored credentials, and serves until its standard input closes. Each child command can then be
/// run many times, one side against the other, by any whole-process timer (hyperfine, <c>/usr/bin/time</c>).
/// </summary>
internal static class Serve
{
    public static async Task<int> RunAsync(int tokenLatencyMs)
    {
        await using var sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { TokenLatency = TimeSpan.FromMilliseconds(tokenLatencyMs) },
        });
        var root = Directory.CreateTempSubdirectory("mcpauth-serve-").FullName;
        try
        {
            var (home, cache) = (Path.Combine(root, "mcpauth"), Path.Combine(root, "sdk.json"));
            await Clients.McpAuthSessionAsync(home, sandbox.McpServerUrl);
            await Clients.SdkSessionAsync(cache, sandbox.McpServerUrl);
            var self = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
                ? $"{Environment.ProcessPath} {typeof(Serve).Assembly.Location}"
                : Environment.ProcessPath!;
            Console.WriteLine($"{self} child mcpauth {home} {sandbox.McpServerUrl} 0");
            Console.WriteLine($"{self} child sdk {cache} {sandbox.McpServerUrl} 0");
            Console.Out.Flush();
            await Console.In.ReadToEndAsync();
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
