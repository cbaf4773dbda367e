using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpAuth.Storage;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// Everything McpAuth says in a test process, for the whole-suite secret sweep (tests/McpAuth.SecretSweep.Tests):
/// log lines at Trace (<see cref="SuiteLoggerFactory"/>), McpAuth's exception messages (every first-chance exception
/// thrown by McpAuth code, recorded from a module initializer) and the output of every mcpauth process the tests run.
/// Each process appends JSON lines <c>{"kind", "source", "text"}</c> to its own file (0600) under
/// artifacts/test-results/secret-sweep/capture; the authorization servers write the secrets ledger next to it.
/// Shared as source by every integration test project and their child processes.
/// </summary>
public static class SuiteCapture
{
    /// <summary>The assemblies whose exceptions are McpAuth's own (the Sandbox is a test server, not McpAuth).</summary>
    private static readonly HashSet<string> ProductAssemblies =
        ["McpAuth", "McpAuth.Cli", "McpAuth.PostgreSql", "McpAuth.Extensions.DependencyInjection"];

    private static readonly ConcurrentDictionary<string, bool> SeenExceptions = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> LedgerValues = new(StringComparer.Ordinal);
    private static readonly Lazy<StreamWriter> Writer = new(() => OpenFile("capture", ""));
    private static readonly Lazy<StreamWriter> Ledger = new(() => OpenFile("ledger", "tests-"));
    private static readonly Lock WriteGate = new();

    [ThreadStatic]
    private static bool _recording;

    /// <summary>artifacts/test-results/secret-sweep: the captures and the ledger of one <c>scripts/test</c> run.</summary>
    public static string Directory => TestTools.ArtifactsDirectory(Path.Combine("test-results", "secret-sweep"));

    /// <summary>A new ledger file for one authorization server process (its OIDC_SECRET_LEDGER).</summary>
    public static string NewLedgerPath(string server) =>
        Path.Combine(PrivateDirectory("ledger"), $"{server}-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");

    /// <summary>
    /// Adds a secret the tests saw cross the wire or sit in a store (a hostile server's token, a DPoP private key) to
    /// the ledger; values under 8 characters are not worth the name and are skipped.
    /// </summary>
    public static void RecordSecret(string kind, string? value)
    {
        if (value is { Length: >= 8 } && LedgerValues.TryAdd(value, true))
        {
            WriteLine(Ledger, JsonSerializer.Serialize(new LedgerLine(kind, value)));
        }
    }

    /// <summary>
    /// The secrets a store holds: access and refresh tokens, DPoP private keys (the JWK and its <c>d</c>), client
    /// secrets of registrations.
    /// </summary>
    public static async Task<IReadOnlyList<(string Kind, string Value)>> StoredSecretsAsync(TokenVault vault)
    {
        var secrets = new List<(string Kind, string? Value)>();
        foreach (var credential in (await vault.ListCredentialsAsync(CancellationToken.None)).Credentials)
        {
            secrets.Add(("access_token", credential.Tokens.AccessToken));
            secrets.Add(("refresh_token", credential.Tokens.RefreshToken));
            if (credential.DPoPPrivateJwk is { } jwk)
            {
                using var key = JsonDocument.Parse(jwk);
                secrets.Add(("dpop_private_key", key.RootElement.GetProperty("d").GetString()));
                secrets.Add(("dpop_private_key", jwk));
            }
        }
        foreach (var registration in await vault.ListRegistrationsAsync(CancellationToken.None))
        {
            secrets.Add(("client_secret", registration.ClientSecret));
        }
        return [.. secrets.Where(s => s.Value is not null).Select(s => (s.Kind, s.Value!))];
    }

    /// <summary>
    /// Adds to the ledger the secrets of every file store (McpAuth home) at <paramref name="directory"/> or one folder
    /// below it: the DPoP private keys the CLI made never reach any server's ledger.
    /// </summary>
    public static void RecordFileStoreSecrets(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return;
        }
        var homes = System.IO.Directory.GetDirectories(directory).Prepend(directory)
            .Where(home => File.Exists(Path.Combine(home, "store.key-protection")));
        foreach (var home in homes)
        {
            IReadOnlyList<(string Kind, string Value)> secrets;
            try
            {
                var vault = new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = home }));
                secrets = StoredSecretsAsync(vault).GetAwaiter().GetResult();
            }
            catch (McpAuthException)
            {
                continue; // a store the test damaged on purpose (its key removed): nothing readable to learn
            }
            foreach (var (kind, value) in secrets)
            {
                RecordSecret(kind, value);
            }
        }
    }

    /// <summary>Records one log line (<see cref="SuiteLoggerFactory"/> calls it).</summary>
    public static void RecordLog(string category, string text) => Write("log", category, text);

    /// <summary>
    /// Records one run of mcpauth: stderr always; stdout unless the command prints a token by design
    /// (<c>mcpauth token</c>, <c>--show-token</c>). The command line is only a label: it is not checked.
    /// </summary>
    public static void RecordCliRun(IReadOnlyList<string> args, string stdout, string stderr)
    {
        var command = "mcpauth " + string.Join(' ', args);
        Write("cli-stderr", command, stderr);
        Write(PrintsTokenByDesign(args) ? "cli-stdout-exempt" : "cli-stdout", command, PrintsTokenByDesign(args) ? "" : stdout);
    }

    /// <summary>
    /// True for <c>mcpauth token ...</c> and <c>mcpauth headers ...</c> (the token in an Authorization header, for a
    /// client's headers helper) and any command with <c>--show-token</c>: their stdout is the token, as asked.
    /// </summary>
    public static bool PrintsTokenByDesign(IReadOnlyList<string> args) =>
        args.FirstOrDefault(arg => !arg.StartsWith('-')) is "token" or "headers" || args.Contains("--show-token");

    /// <summary>
    /// False when MCPAUTH_SUITE_CAPTURE=off: scripts/fuzz runs millions of parser failures, and no sweep follows it.
    /// </summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("MCPAUTH_SUITE_CAPTURE") != "off";

#pragma warning disable CA2255 // a test-support module initializer: every test assembly and child process captures its exceptions
    [ModuleInitializer]
    internal static void WatchExceptions()
    {
        if (Enabled)
        {
            AppDomain.CurrentDomain.FirstChanceException += (_, e) => RecordException(e.Exception);
        }
    }
#pragma warning restore CA2255

    /// <summary>Records the message and ToString() of an exception McpAuth threw (each distinct text once).</summary>
    private static void RecordException(Exception exception)
    {
        if (_recording || !IsMcpAuths(exception))
        {
            return;
        }

        _recording = true;
        try
        {
            var text = $"{exception.GetType().FullName}: {exception.Message}\n{exception}";
            if (SeenExceptions.TryAdd(WithoutStackFrames(text), true)) // the same messages thrown from elsewhere add nothing
            {
                Write("exception", exception.TargetSite?.DeclaringType?.FullName ?? exception.GetType().FullName ?? "", text);
            }
        }
        finally
        {
            _recording = false;
        }
    }

    private static string WithoutStackFrames(string text) =>
        string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("at ", StringComparison.Ordinal)));

    private static bool IsMcpAuths(Exception exception) =>
        exception is McpAuthException
        || (exception.TargetSite?.DeclaringType?.Assembly.GetName().Name is { } name && ProductAssemblies.Contains(name));

    private static void Write(string kind, string source, string text) =>
        WriteLine(Writer, JsonSerializer.Serialize(new CaptureLine(kind, source, text)));

    private static void WriteLine(Lazy<StreamWriter> file, string line)
    {
        if (!Enabled)
        {
            return;
        }

        var recording = _recording;
        _recording = true; // an exception while writing is not McpAuth's
        try
        {
            lock (WriteGate)
            {
                file.Value.WriteLine(line);
            }
        }
        finally
        {
            _recording = recording;
        }
    }

    private static StreamWriter OpenFile(string folder, string prefix)
    {
        var name = $"{prefix}{typeof(SuiteCapture).Assembly.GetName().Name}-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new StreamWriter(Path.Combine(PrivateDirectory(folder), name), options) { AutoFlush = true };
    }

    private static string PrivateDirectory(string name)
    {
        var path = Path.Combine(Directory, name);
        if (OperatingSystem.IsWindows())
        {
            return System.IO.Directory.CreateDirectory(path).FullName;
        }

        return System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
    }

    private sealed record CaptureLine(string Kind, string Source, string Text);

    private sealed record LedgerLine([property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("value")] string Value);
}
