using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Benchmarks;

/// <summary>
/// Process start to exit of <c>mcpauth token URL</c> with a fresh stored token (no network, no refresh), against an
/// empty console program published the same way (the baseline: Ratio column). Both are published apphosts
/// (framework-dependent, ReadyToRun); <c>benchmarks/startup.sh</c> publishes them and runs this class.
/// </summary>
[Config(typeof(StartupConfig))]
[MedianColumn, MinColumn, MaxColumn]
public class TokenCommandStartupBenchmarks
{
    /// <summary>
    /// One process launch per iteration. In-process toolchain: the timed work is a child process anyway, and building
    /// a separate benchmark executable timed out on the loaded build machine.
    /// </summary>
    private sealed class StartupConfig : ManualConfig
    {
        public StartupConfig() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(3)
            .WithIterationCount(25).WithToolchain(InProcessEmitToolchain.Instance));
    }

    private const string Server = "https://mcp.example.test/mcp";
    private const string AccessToken = "startup-benchmark-access-token";
    private string _home = "";
    private string _cli = "";
    private string _empty = "";

    [GlobalSetup]
    public void Setup()
    {
        var artifacts = Path.Combine(RepositoryRoot(), "artifacts", "startup");
        _cli = Environment.GetEnvironmentVariable("MCPAUTH_BENCH_CLI") ?? Path.Combine(artifacts, "cli", "mcpauth");
        _empty = Environment.GetEnvironmentVariable("MCPAUTH_BENCH_EMPTY") ?? Path.Combine(artifacts, "empty", "EmptyConsole");
        foreach (var program in new[] { _cli, _empty })
        {
            if (!File.Exists(program))
            {
                throw new InvalidOperationException($"{program} is missing: run benchmarks/startup.sh (it publishes both programs).");
            }
        }
        _home = Path.Combine(Path.GetTempPath(), "mcpauth-startup-" + Guid.NewGuid().ToString("N"));
        StoreFreshToken(_home);
        var printed = Run(_cli, "token", Server);
        if (printed != AccessToken + "\n")
        {
            throw new InvalidOperationException("mcpauth token did not print the stored token.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public string EmptyConsole() => Run(_empty);

    [Benchmark]
    public string McpAuthToken() => Run(_cli, "token", Server);

    /// <summary>
    /// Writes a credential for <see cref="Server"/> valid for a day through the library (key file protection, as a
    /// headless machine has). Also <c>McpAuth.Benchmarks store-token HOME</c>, for <c>benchmarks/startup.sh</c>.
    /// </summary>
    public static void StoreFreshToken(string home)
    {
        var store = FileTokenStore.Open(new FileTokenStoreOptions
        {
            Home = home,
            KeyProtectors = [new KeyFileProtector(Path.Combine(home, "store.key"))],
        });
        var now = DateTimeOffset.UtcNow;
        var credential = new StoredCredential
        {
            Binding = new CredentialBinding("default", Server, "https://auth.example.test", "startup-client"),
            Tokens = new TokenSet { AccessToken = AccessToken, RefreshToken = "startup-refresh", ExpiresAt = now.AddDays(1), Scope = "mcp" },
            TokenEndpoint = "https://auth.example.test/token",
            TokenEndpointAuthMethod = "none",
            Generation = 1,
            UpdatedAt = now,
        };
        new TokenVault(store).SaveCredentialAsync(credential, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["MCPAUTH_HOME"] = _home;
        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}: {stderr.Result}");
        }
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpAuth.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the McpAuth repository.");
    }
}
