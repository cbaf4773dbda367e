using System.Diagnostics;
using System.Globalization;
using McpAuth.Sandbox;

// Requests per refresh in a new process: logs in once with `mcpauth login` against the sandbox (authorization server and
// MCP server on loopback; the "browser" follows the authorization URL with curl), lets the access token expire, then
// runs `mcpauth token <server>` as a new process and counts, by endpoint, the requests both servers received for it.
// Usage: RequestsPerRefresh [rounds] -- <mcpauth command...>
//   e.g. RequestsPerRefresh 3 -- dotnet src/McpAuth.Cli/bin/Release/net10.0/McpAuth.Cli.dll
if (OperatingSystem.IsWindows())
{
    Console.Error.WriteLine("the stand-in browser is a shell script: run this on Linux or macOS");
    return 2;
}
var split = Array.IndexOf(args, "--");
if (split < 0 || split == args.Length - 1)
{
    Console.Error.WriteLine("usage: RequestsPerRefresh [rounds] -- <mcpauth command...>");
    return 2;
}
var rounds = split > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var mcpauth = args[(split + 1)..];

// Every token is past its expiry when `token` runs (so also within the engine's refresh skew): a refresh each round.
var lifetime = TimeSpan.FromSeconds(1);
await using var sandbox = await Sandbox.StartAsync(new SandboxOptions
{
    AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = lifetime },
});
var root = Directory.CreateTempSubdirectory("mcpauth-refresh-requests-").FullName;
try
{
    var browser = Path.Combine(root, "browser.sh");
    await File.WriteAllTextAsync(browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n");
    File.SetUnixFileMode(browser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    var home = Path.Combine(root, "home");
    var server = sandbox.McpServerUrl.AbsoluteUri;

    await RunAsync("login", server);
    var counts = new List<long>();
    SortedDictionary<string, long> last = [];
    for (var round = 1; round <= rounds; round++)
    {
        await Task.Delay(lifetime + TimeSpan.FromMilliseconds(500)); // the stored access token has expired
        sandbox.AuthorizationServer.Stats.Reset();
        sandbox.McpServer.Stats.Reset();
        await RunAsync("token", server);
        if (sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token") != 1)
        {
            throw new InvalidOperationException("`mcpauth token` did not refresh exactly once");
        }
        var byEndpoint = Count(sandbox);
        var total = byEndpoint.Sum(pair => pair.Value);
        counts.Add(total);
        last = byEndpoint;
        Console.WriteLine($"round {round}: requests per refresh in a new process: {total} ({Describe(byEndpoint)})");
    }

    Console.WriteLine(counts.Distinct().Count() == 1
        ? $"requests per refresh in a new process: {counts[0]} ({Describe(last)})"
        : $"requests per refresh in a new process varied: {string.Join(", ", counts)}");
    return 0;

    async Task RunAsync(params string[] verb)
    {
        var info = new ProcessStartInfo(mcpauth[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in mcpauth[1..].Concat(verb))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["MCPAUTH_HOME"] = home;
        info.Environment["BROWSER"] = browser;
        info.Environment.Remove("MCPAUTH_LOG");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || (verb[0] == "token" && (await stdout).Trim().Length == 0))
        {
            throw new InvalidOperationException($"mcpauth {verb[0]} exited {process.ExitCode}: {await stderr}");
        }
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

// Requests by endpoint, from both servers' counters (the per-grant and per-method counters break these down further).
static SortedDictionary<string, long> Count(Sandbox sandbox)
{
    var byEndpoint = new SortedDictionary<string, long>(StringComparer.Ordinal);
    foreach (var (name, value) in sandbox.McpServer.Stats.Snapshot().Concat(sandbox.AuthorizationServer.Stats.Snapshot()))
    {
        if (value > 0 && !name.Contains(':', StringComparison.Ordinal) && name is not SandboxCounters.McpUnauthorized and not SandboxCounters.McpForbidden)
        {
            byEndpoint[Label(name)] = byEndpoint.GetValueOrDefault(Label(name)) + value;
        }
    }
    return byEndpoint;
}

static string Label(string counter) => counter switch
{
    SandboxCounters.ProtectedResourceMetadata => "resource metadata",
    SandboxCounters.Metadata => "AS metadata",
    SandboxCounters.Mcp => "MCP",
    _ => counter,
};

static string Describe(SortedDictionary<string, long> byEndpoint) =>
    byEndpoint.Count == 0 ? "none" : string.Join(", ", Order(byEndpoint).Select(pair => $"{pair.Key} {pair.Value}"));

// Discovery order first (resource metadata, AS metadata), then the rest by name.
static IEnumerable<KeyValuePair<string, long>> Order(SortedDictionary<string, long> byEndpoint) =>
    byEndpoint.OrderBy(pair => pair.Key switch { "resource metadata" => 0, "AS metadata" => 1, _ => 2 }).ThenBy(pair => pair.Key, StringComparer.Ordinal);
