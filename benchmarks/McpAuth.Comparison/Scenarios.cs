using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAuth.Sandbox;
using McpAuth.Storage;

namespace McpAuth.Comparison;

/// <summary>What one scenario cost one client: requests counted by the servers, wall time, failures.</summary>
internal sealed record Outcome(long AsRequests, long Refreshes, long Logins, long McpRequests, double WallMs, int Failures, int Processes)
{
    /// <summary>Of <see cref="WallMs"/>, the time spent waiting for token endpoint responses (measured in process only).</summary>
    public double? TokenWaitMs { get; init; }
}

/// <summary>
/// The process-level scenarios, McpAuth and the SDK against the same sandbox, in the same run: (1) cold login in
/// process, (2) a new process with stored credentials, (3) 8 new processes at once with an expired token.
/// </summary>
internal static class Scenarios
{
    /// <summary>Runs of lines 1, 2 and 3b per side in each round.</summary>
    private const int SamplesPerRound = 5;

    /// <summary>Runs of line 3 per side in each round, each after the stored tokens are expired again.</summary>
    private const int StampedesPerRound = 2;

    public static async Task<int> RunAsync(int tokenLatencyMs, int rounds)
    {
        var all = new List<List<(string Name, List<Outcome> McpAuth, List<Outcome> Sdk)>>();
        for (var round = 0; round < rounds; round++)
        {
            all.Add(await RoundAsync(tokenLatencyMs, round));
        }
        Console.WriteLine($"token endpoint latency: {tokenLatencyMs} ms; {rounds} rounds (a new sandbox each) of {SamplesPerRound} runs per side for"
            + $" lines 1, 2 and 3b and {StampedesPerRound} for line 3; median wall time (min-max); AS = requests to the authorization server"
            + " (metadata, registration, authorize, token) and to the resource metadata; MCP = requests to the MCP endpoint;"
            + " the side that runs first alternates from run to run; McpAuth / SDK as the ratio of the two medians, and paired: the"
            + " median of the ratios of the runs made back to back (the machine's drift cancels in each pair); each with its 95%"
            + " bootstrap interval");
        Console.WriteLine("| scenario | McpAuth | MCP C# SDK 2.3.1 | McpAuth / SDK: ratio of medians [95%] | paired [95%] |");
        Console.WriteLine("|---|---|---|---|---|");
        for (var row = 0; row < all[0].Count; row++)
        {
            var name = all[0][row].Name;
            var mcpAuth = all.SelectMany(r => r[row].McpAuth).ToList();
            var sdk = all.SelectMany(r => r[row].Sdk).ToList();
            Console.WriteLine(FormattableString.Invariant(
                $"| {name} | {Summary(mcpAuth)} | {Summary(sdk)} | {Ratio(mcpAuth, sdk)} | {Paired(mcpAuth, sdk)} |"));
            if (mcpAuth.Concat(sdk).All(o => o.TokenWaitMs is not null))
            {
                // The same runs with the token endpoint's wait taken out: the work each client does.
                static List<Outcome> Work(List<Outcome> outcomes) => outcomes.Select(o => o with { WallMs = o.WallMs - o.TokenWaitMs!.Value }).ToList();
                Console.WriteLine(FormattableString.Invariant(
                    $"| {name}: the client's own time (wall minus the token endpoint's wait) | {WallSummary(Work(mcpAuth))} | {WallSummary(Work(sdk))} | {Ratio(Work(mcpAuth), Work(sdk))} | {Paired(Work(mcpAuth), Work(sdk))} |"));
            }
        }
        return 0;
    }

    /// <summary>The ratio of the median walls of the runs with a wall time, and its 95% bootstrap interval.</summary>
    private static string Ratio(List<Outcome> mcpAuth, List<Outcome> sdk)
    {
        var (a, b) = (Walls(mcpAuth), Walls(sdk));
        var (low, high) = Stats.RatioOfMediansInterval(a, b);
        return FormattableString.Invariant($"{Stats.Median(a) / Stats.Median(b):F2} [{low:F2}-{high:F2}]");
    }

    /// <summary>
    /// The median of the run-by-run ratios (the i-th McpAuth run against the i-th SDK run, made one right after the other),
    /// over the pairs in which both have a wall time, and its 95% bootstrap interval.
    /// </summary>
    private static string Paired(List<Outcome> mcpAuth, List<Outcome> sdk)
    {
        double[] ratios = [.. mcpAuth.Zip(sdk, (a, b) => a.WallMs / b.WallMs).Where(r => !double.IsNaN(r))];
        var (low, high) = Stats.MedianInterval(ratios);
        return FormattableString.Invariant($"{Stats.Median(ratios):F2} [{low:F2}-{high:F2}]");
    }

    /// <summary>The wall times, sorted, of the runs that have one (a run of 8 processes has none when all 8 failed).</summary>
    private static double[] Walls(List<Outcome> outcomes) => [.. outcomes.Select(o => o.WallMs).Where(w => !double.IsNaN(w)).Order()];

    private static string WallSummary(List<Outcome> outcomes)
    {
        var walls = Walls(outcomes);
        return FormattableString.Invariant($"{Stats.Median(walls):F1} ms ({walls[0]:F1}-{walls[^1]:F1})");
    }

    private static string Summary(List<Outcome> outcomes)
    {
        static string Range(IEnumerable<long> values) => values.Min() == values.Max()
            ? values.Min().ToString(CultureInfo.InvariantCulture) : $"{values.Min()}-{values.Max()}";
        var walls = Walls(outcomes);
        var failures = outcomes.Sum(o => o.Failures);
        var requests = $"{Range(outcomes.Select(o => o.AsRequests))} AS ({Range(outcomes.Select(o => o.Refreshes))} refresh, "
            + $"{Range(outcomes.Select(o => o.Logins))} login) + {Range(outcomes.Select(o => o.McpRequests))} MCP";
        var wall = FormattableString.Invariant($"{Stats.Median(walls):F0} ms ({walls[0]:F0}-{walls[^1]:F0})");
        return $"{requests}; {wall}" + (failures > 0 ? $"; {failures} of {outcomes.Count * outcomes[0].Processes} sessions failed" : "");
    }

    private static async Task<List<(string Name, List<Outcome> McpAuth, List<Outcome> Sdk)>> RoundAsync(int tokenLatencyMs, int round)
    {
        await using var sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { TokenLatency = TimeSpan.FromMilliseconds(tokenLatencyMs) },
        });
        var root = Directory.CreateTempSubdirectory("mcpauth-vs-sdk-").FullName;
        try
        {
            var rows = new List<(string Name, List<Outcome> McpAuth, List<Outcome> Sdk)>();
            string Home(int sample) => Path.Combine(root, $"mcpauth-{sample}");
            string Cache(int sample) => Path.Combine(root, $"sdk-cache-{sample}.json");
            var (home, cache) = (Home(0), Cache(0));
            // Warm both in this process (JIT) against throw-away state, so the cold login measures the protocol.
            await Clients.McpAuthSessionAsync(Path.Combine(root, "warm"), sandbox.McpServerUrl);
            await Clients.SdkSessionAsync(Path.Combine(root, "warm.json"), sandbox.McpServerUrl);

            // Which side runs first alternates from run to run: the first run after a scenario starts meets this
            // process's own background work (tiered JIT, GC) on a 2-core machine, and that must not always fall on one side.
            async Task Row(string name, int samples, Func<int, Task<Outcome>> mcpAuth, Func<int, Task<Outcome>> sdk)
            {
                var row = (name, McpAuth: new List<Outcome>(), Sdk: new List<Outcome>());
                for (var sample = 0; sample < samples; sample++)
                {
                    if ((round + sample) % 2 == 0)
                    {
                        row.McpAuth.Add(await mcpAuth(sample));
                        row.Sdk.Add(await sdk(sample));
                    }
                    else
                    {
                        row.Sdk.Add(await sdk(sample));
                        row.McpAuth.Add(await mcpAuth(sample));
                    }
                }
                rows.Add(row);
            }

            await Row("1. cold login (in process)", SamplesPerRound,
                sample => MeasureAsync(sandbox, () => Clients.McpAuthSessionAsync(Home(sample), sandbox.McpServerUrl)),
                sample => MeasureAsync(sandbox, () => Clients.SdkSessionAsync(Cache(sample), sandbox.McpServerUrl)));
            await Row("2. new process, stored credentials", SamplesPerRound,
                _ => ProcessesAsync(sandbox, "mcpauth", home, 1), _ => ProcessesAsync(sandbox, "sdk", cache, 1));
            await Row("3. expired token, 8 processes at once", StampedesPerRound,
                async _ =>
                {
                    await ExpireMcpAuthAsync(home);
                    return await ProcessesAsync(sandbox, "mcpauth", home, 8);
                },
                _ =>
                {
                    ExpireSdk(cache);
                    return ProcessesAsync(sandbox, "sdk", cache, 8);
                });
            await Row("3b. next start after (3)", SamplesPerRound,
                _ => ProcessesAsync(sandbox, "mcpauth", home, 1), _ => ProcessesAsync(sandbox, "sdk", cache, 1));

            return rows;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Before each measured run: a pause for this process's own background work (tiered JIT of the servers' code, GC)
    /// to finish, so it does not land on whichever side runs next.
    /// </summary>
    private static async Task SettleAsync()
    {
        GC.Collect();
        await Task.Delay(200);
    }

    private static async Task<Outcome> MeasureAsync(Sandbox.Sandbox sandbox, Func<Task<SessionTime>> session)
    {
        await SettleAsync();
        Reset(sandbox);
        var time = await session();
        return Count(sandbox, time.WallMs, 0, 1) with { TokenWaitMs = time.TokenWaitMs };
    }

    private static async Task<Outcome> ProcessesAsync(Sandbox.Sandbox sandbox, string side, string path, int count)
    {
        await SettleAsync();
        Reset(sandbox);
        var startAt = DateTimeOffset.UtcNow.AddSeconds(count == 1 ? 0 : 6).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var children = Enumerable.Range(0, count).Select(_ => Child(side, path, sandbox.McpServerUrl.AbsoluteUri, startAt)).ToList();
        var results = await Task.WhenAll(children.Select(async child =>
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync();
            var ok = child.ExitCode == 0;
            child.Dispose();
            if (!ok)
            {
                await Console.Error.WriteLineAsync($"{side} child failed: {(await stderr).Trim()}");
            }
            return ok ? double.Parse((await stdout).Trim(), CultureInfo.InvariantCulture) : double.NaN;
        }));
        var wall = results.Where(r => !double.IsNaN(r)).DefaultIfEmpty(double.NaN).Max();
        return Count(sandbox, wall, results.Count(double.IsNaN), count);
    }

    private static int _children;

    private static Process Child(string side, string path, string url, string startAt)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Scenarios).Assembly.Location);
        }
        foreach (var argument in new[] { "child", side, path, url, startAt })
        {
            info.ArgumentList.Add(argument);
        }
        // Diagnostics: MCPAUTH_COMPARISON_JIT_DIR=dir lists the methods each child JIT-compiles in dir/jit-{side}-{n}.txt.
        // Diagnostics only: with it, a child that JIT-compiles on two threads at once now and then dies in the runtime's
        // own output code (glibc "free(): invalid pointer"; seen on the McpAuth side, whose read ahead compiles beside
        // the main thread), so a table made with it is not a result.
        if (Environment.GetEnvironmentVariable("MCPAUTH_COMPARISON_JIT_DIR") is { Length: > 0 } jitDir)
        {
            info.Environment["DOTNET_JitStdOutFile"] = Path.Combine(jitDir, $"jit-{side}-{Interlocked.Increment(ref _children)}.txt");
            info.Environment["DOTNET_JitDisasmSummary"] = "1";
        }
        return Process.Start(info)!;
    }

    private static void Reset(Sandbox.Sandbox sandbox)
    {
        sandbox.AuthorizationServer.Stats.Reset();
        sandbox.McpServer.Stats.Reset();
    }

    private static Outcome Count(Sandbox.Sandbox sandbox, double wall, int failures, int processes)
    {
        var auth = sandbox.AuthorizationServer.Stats;
        var mcp = sandbox.McpServer.Stats;
        var asRequests = auth.Get(SandboxCounters.Metadata) + auth.Get(SandboxCounters.Registration) + auth.Get(SandboxCounters.Authorize)
            + auth.Get(SandboxCounters.Token) + mcp.Get(SandboxCounters.ProtectedResourceMetadata);
        return new Outcome(asRequests, auth.TokenRequests("refresh_token"), auth.Get(SandboxCounters.Authorize),
            mcp.Get(SandboxCounters.Mcp), wall, failures, processes);
    }

    private static async Task ExpireMcpAuthAsync(string home)
    {
        var vault = new TokenVault(Clients.OpenStore(home));
        foreach (var credential in (await vault.ListCredentialsAsync(CancellationToken.None)).Credentials)
        {
            await vault.SaveCredentialAsync(credential with { Tokens = credential.Tokens with { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-5) } },
                CancellationToken.None);
        }
    }

    private static void ExpireSdk(string cache)
    {
        var json = JsonNode.Parse(File.ReadAllText(cache))!.AsObject();
        json["ObtainedAt"] = DateTimeOffset.UtcNow.AddHours(-2).ToString("O", CultureInfo.InvariantCulture);
        File.WriteAllText(cache, json.ToJsonString(new JsonSerializerOptions()));
    }
}
