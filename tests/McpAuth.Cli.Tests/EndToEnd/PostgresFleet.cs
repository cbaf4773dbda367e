using System.Security.Cryptography;
using System.Text.Json;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>One PostgreSQL server (the integration tests' launcher) for every CLI test class on the PostgreSQL store.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "cli-postgres";
}

/// <summary>
/// A fleet of CLIs on one PostgreSQL store: "machines" with McpAuth homes of their own, sharing a schema (new for each
/// fleet) and one envelope key, against the embedded sandbox, whose authorization server rotates refresh tokens and
/// revokes the grant when a rotated one comes back.
/// </summary>
internal sealed class PostgresFleet : IAsyncDisposable
{
    private readonly TempHome _root = new();
    private readonly PostgresServer _postgres;
    private readonly string? _executable;

    private PostgresFleet(PostgresServer postgres, Sandbox.Sandbox sandbox, string? executable)
    {
        _postgres = postgres;
        Sandbox = sandbox;
        _executable = executable;
        SuiteCapture.RecordSecret("postgres_store_key", Key);
    }

    public Sandbox.Sandbox Sandbox { get; }

    public string Schema { get; } = "cli_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The envelope key every machine is given, in base64.</summary>
    public string Key { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Server => Sandbox.McpServerUrl.AbsoluteUri;

    public long Refreshes => Sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token");

    /// <summary>A fleet over a new schema; <paramref name="executable"/> is the mcpauth to run (default: the apphost beside the tests).</summary>
    public static async Task<PostgresFleet> StartAsync(PostgresServer postgres, string? executable = null)
    {
        var sandbox = await McpAuth.Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            // Each token answer takes 2 s, so the two machines' `token` runs overlap while the refresh is at the server:
            // the second finds the first's lease in the database and waits for its result.
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                AccessTokenLifetime = TimeSpan.FromSeconds(30),
                TokenLatency = TimeSpan.FromSeconds(2),
            },
        });
        return new PostgresFleet(postgres, sandbox, executable);
    }

    /// <summary>
    /// A machine with a McpAuth home of its own on the shared store. The first is told MCPAUTH_STORE=postgres and the key
    /// in MCPAUTH_STORE_KEY; the others find the store from its variables alone and read the key from an owner-only file.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task<CliProcess> MachineAsync(string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root.Path, name)).FullName;
        var cli = new CliProcess(Path.Combine(folder, "home"));
        if (_executable is not null)
        {
            cli = new CliProcess(cli.Home) { Executable = _executable };
        }
        cli.Environment["BROWSER"] = await CurlBrowser.CreateAsync(folder);
        cli.Environment["MCPAUTH_POSTGRES_CONNECTION"] = _postgres.ConnectionString;
        cli.Environment["MCPAUTH_POSTGRES_SCHEMA"] = Schema;
        if (name == "a")
        {
            cli.Environment["MCPAUTH_STORE"] = "postgres";
            cli.Environment["MCPAUTH_STORE_KEY"] = Key;
        }
        else
        {
            cli.Environment["MCPAUTH_STORE_KEY_FILE"] = await OwnerOnlyFileAsync(Path.Combine(folder, "store.key"), Key + "\n");
        }
        return cli;
    }

    /// <summary>A file with mode 0600 holding <paramref name="text"/>.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<string> OwnerOnlyFileAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>The fleet's store, opened by the library as the CLI opens it.</summary>
    public Task<PostgresTokenStore> OpenStoreAsync() => PostgresTokenStore.CreateAsync(new PostgresTokenStoreOptions
    {
        ConnectionString = _postgres.ConnectionString,
        Schema = Schema,
        EnvelopeKeyBase64 = Key,
    }, CancellationToken.None);

    /// <summary>Makes every credential in the shared store due for a refresh (<see cref="DueTokens"/>).</summary>
    public async Task MakeDueAsync()
    {
        await using var store = await OpenStoreAsync();
        await DueTokens.MakeDueAsync(store);
    }

    /// <summary>
    /// The scenario the fleet exists for: a login on machine a, status there naming the PostgreSQL store, then, with the
    /// token due, `mcpauth token` on a and b at once: exactly one refresh at the authorization server between them, and
    /// both print the same new token.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LoginThenRefreshOnceBetweenTwoMachinesAsync()
    {
        var a = await MachineAsync("a");
        var b = await MachineAsync("b");
        var empty = await b.RunAsync("status");
        Assert.Contains($"No credentials stored in postgresql at postgres@127.0.0.1:{_postgres.Port}/{_postgres.Database}, schema {Schema}.", empty.Stderr);
        var login = await a.RunAsync("login", Server);
        Assert.True(login.ExitCode == ExitCodes.Ok, $"login failed: {login.Stderr}");

        var status = await a.RunAsync("status");
        var json = await b.RunAsync("status", "--json");
        Assert.True(status.ExitCode == ExitCodes.Ok, status.Stderr);
        Assert.Contains($"Storage: postgresql at postgres@127.0.0.1:{_postgres.Port}/{_postgres.Database}, schema {Schema} (key: envelope-key", status.Stdout);
        Assert.DoesNotContain(_postgres.ConnectionString, status.Stdout + json.Stdout);
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var storage = Assert.Single(document.RootElement.GetProperty("credentials").EnumerateArray()).GetProperty("storage");
            Assert.Equal("postgresql", storage.GetProperty("backend").GetString());
            Assert.Equal("envelope-key", storage.GetProperty("key_protection").GetString());
        }

        var first = await b.RunAsync("token", Server);
        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);
        await MakeDueAsync();
        var before = Refreshes;

        var both = await Task.WhenAll(a.RunAsync("token", Server), b.RunAsync("token", Server));

        Assert.All(both, run => Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr));
        Assert.Equal(1, Refreshes - before);
        Assert.Equal(both[0].Stdout, both[1].Stdout);
        Assert.NotEqual(first.Stdout, both[0].Stdout);
        Assert.Equal(both[0].Stdout, (await b.RunAsync("token", Server)).Stdout);
        Assert.Equal(1, Refreshes - before);
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        _root.Dispose();
    }
}
