using System.Globalization;
using BenchmarkDotNet.Running;
using McpAuth.Comparison;

// Usage:
//   McpAuth.Comparison table [token-latency-ms] [rounds]   the process-level scenarios, as a markdown table
//   McpAuth.Comparison bench [BenchmarkDotNet args] the per-request cost (BenchmarkDotNet, in process)
//   McpAuth.Comparison timeline [samples]           diagnostics: a cold login's steps, median per side (see Timeline.cs)
//   McpAuth.Comparison serve [token-latency-ms]     diagnostics: both sides logged in; prints their child commands (see Serve.cs)
//   McpAuth.Comparison child mcpauth|sdk <home-or-cache-file> <mcp-url> <start-at-unix-ms>
//       one MCP session (connect + one tools/call) in this process; prints its wall time in ms
return args switch
{
    ["table", ..] => await Scenarios.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5),
    ["bench", ..] => Bench(args[1..]),
    ["timeline", ..] => await Timeline.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40),
    ["serve", ..] => await Serve.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100),
    ["child", var side, var path, var url, var startAt] => await ChildAsync(side, path, new Uri(url), long.Parse(startAt, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Bench(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(PerRequestBenchmarks).Assembly).Run(rest);
    return 0;
}

static async Task<int> ChildAsync(string side, string path, Uri url, long startAtUnixMs)
{
    var wait = DateTimeOffset.FromUnixTimeMilliseconds(startAtUnixMs) - DateTimeOffset.UtcNow;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }
    try
    {
        var elapsed = side == "sdk" ? await Clients.SdkSessionAsync(path, url) : await Clients.McpAuthSessionAsync(path, url);
        Console.WriteLine(elapsed.WallMs.ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
        return 1;
    }
}

static int Usage()
{
    Console.Error.WriteLine("usage: McpAuth.Comparison table [token-latency-ms] [rounds] | bench [args] | timeline [samples] | serve [token-latency-ms] | child mcpauth|sdk <path> <url> <start-at-unix-ms>");
    return 2;
}
