using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// The built mcpauth on the PostgreSQL store (MCPAUTH_STORE=postgres): several machines refresh once between them, and
/// a store that is not configured right is refused with the variable to fix named.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresFleetTests(PostgresServer postgres) : IDisposable
{
    private const string Server = "https://mcp.example/mcp";
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Two_machines_on_one_store_refresh_once_between_them_and_print_the_same_token()
    {
        await using var fleet = await PostgresFleet.StartAsync(postgres);

        await fleet.LoginThenRefreshOnceBetweenTwoMachinesAsync();
    }

    [Fact]
    public async Task Proxy_and_headers_on_another_machine_use_the_credential_a_login_stored()
    {
        await using var fleet = await PostgresFleet.StartAsync(postgres);
        var a = await fleet.MachineAsync("a");
        var b = await fleet.MachineAsync("b");
        Assert.Equal(ExitCodes.Ok, (await a.RunAsync("login", fleet.Server)).ExitCode);

        var headers = await b.RunAsync("headers", fleet.Server);
        var proxy = await Proxy.TypeScriptStdioClient.RunAsync(b.Home, ["proxy", fleet.Server], ["whoami"],
            b.Environment.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!));

        Assert.True(headers.ExitCode == ExitCodes.Ok, headers.Stderr);
        Assert.StartsWith("{\"Authorization\":\"Bearer ", headers.Stdout, StringComparison.Ordinal);
        Assert.True(proxy.ExitCode == 0, proxy.Stderr);
        Assert.Contains("sandbox-user", Assert.Single(proxy.CallTexts));
        Assert.Equal(1, fleet.Sandbox.AuthorizationServer.Stats.Get(McpAuth.Sandbox.SandboxCounters.Authorize));
    }

    [Fact]
    public async Task A_new_envelope_key_reads_and_reseals_the_old_entries_given_MCPAUTH_STORE_PREVIOUS_KEYS()
    {
        await using var fleet = await PostgresFleet.StartAsync(postgres);
        var a = await fleet.MachineAsync("a");
        Assert.Equal(ExitCodes.Ok, (await a.RunAsync("login", fleet.Server)).ExitCode);
        var newKey = NewKey();
        McpAuth.IntegrationTests.Fixtures.SuiteCapture.RecordSecret("postgres_store_key", newKey);
        a.Environment["MCPAUTH_STORE_KEY"] = newKey;

        var withoutOldKey = await a.RunAsync("token", fleet.Server);
        a.Environment["MCPAUTH_STORE_PREVIOUS_KEYS"] = fleet.Key;
        var withOldKey = await a.RunAsync("token", fleet.Server);
        await using (var resealed = await McpAuth.PostgreSql.PostgresTokenStore.CreateAsync(new()
        {
            ConnectionString = postgres.ConnectionString, Schema = fleet.Schema, EnvelopeKeyBase64 = newKey,
        }, CancellationToken.None))
        {
            await DueTokens.MakeDueAsync(resealed); // readable under the new key alone: everything was re-sealed
        }
        var refreshed = await a.RunAsync("token", fleet.Server);
        a.Environment.Remove("MCPAUTH_STORE_PREVIOUS_KEYS");
        var afterReseal = await a.RunAsync("token", fleet.Server);

        Assert.Equal(ExitCodes.Error, withoutOldKey.ExitCode);
        Assert.Equal("", withoutOldKey.Stdout);
        Assert.Contains("MCPAUTH_STORE_PREVIOUS_KEYS", withoutOldKey.Stderr);
        Assert.True(withOldKey.ExitCode == ExitCodes.Ok, withOldKey.Stderr);
        Assert.Contains("re-sealed", withOldKey.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("re-sealed", refreshed.Stderr, StringComparison.Ordinal);
        Assert.True(refreshed.ExitCode == ExitCodes.Ok, refreshed.Stderr);
        Assert.NotEqual(withOldKey.Stdout, refreshed.Stdout);
        Assert.True(afterReseal.ExitCode == ExitCodes.Ok, afterReseal.Stderr);
        Assert.Equal(refreshed.Stdout, afterReseal.Stdout);
        Assert.DoesNotContain(fleet.Key, withoutOldKey.Stderr + withOldKey.Stderr + refreshed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_previous_key_that_is_not_32_bytes_of_base64_names_its_variable()
    {
        var run = await Cli(("MCPAUTH_STORE", "postgres"), ("MCPAUTH_POSTGRES_CONNECTION", postgres.ConnectionString),
            ("MCPAUTH_STORE_KEY", NewKey()), ("MCPAUTH_STORE_PREVIOUS_KEYS", NewKey() + " not-a-key")).RunAsync("status");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("(InvalidConfiguration: MCPAUTH_STORE_PREVIOUS_KEYS)", run.Stderr);
        Assert.DoesNotContain("not-a-key", run.Stderr, StringComparison.Ordinal);
    }

    private CliProcess Cli(params (string Name, string Value)[] variables)
    {
        var cli = new CliProcess(Path.Combine(_home.Path, "home"));
        foreach (var (name, value) in variables)
        {
            cli.Environment[name] = value;
        }
        return cli;
    }

    private static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_key_without_a_connection_string_names_the_connection_variable()
    {
        var run = await Cli(("MCPAUTH_STORE_KEY", NewKey())).RunAsync("token", Server);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("(InvalidConfiguration: MCPAUTH_POSTGRES_CONNECTION)", run.Stderr);
        Assert.Contains("MCPAUTH_POSTGRES_CONNECTION_FILE", run.Stderr);
    }

    [Fact]
    public async Task A_connection_string_without_a_key_names_the_key_variable()
    {
        var run = await Cli(("MCPAUTH_STORE", "postgres"), ("MCPAUTH_POSTGRES_CONNECTION", postgres.ConnectionString)).RunAsync("status");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("(StoreKeyUnavailable: MCPAUTH_STORE_KEY)", run.Stderr);
        Assert.Contains("openssl rand -base64 32", run.Stderr);
    }

    [Theory]
    [InlineData("MCPAUTH_STORE_KEY_FILE")]
    [InlineData("MCPAUTH_POSTGRES_CONNECTION_FILE")]
    public async Task A_secret_file_others_can_read_is_refused(string variable)
    {
        var key = NewKey();
        var path = Path.Combine(_home.Path, "secret");
        await File.WriteAllTextAsync(path, variable.StartsWith("MCPAUTH_STORE_KEY", StringComparison.Ordinal) ? key : postgres.ConnectionString);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var other = variable.StartsWith("MCPAUTH_STORE_KEY", StringComparison.Ordinal)
            ? ("MCPAUTH_POSTGRES_CONNECTION", postgres.ConnectionString)
            : ("MCPAUTH_STORE_KEY", key);

        var run = await Cli((variable, path), other).RunAsync("token", Server);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains($"(InvalidConfiguration: {variable})", run.Stderr);
        Assert.Contains($"chmod 600 {path}", run.Stderr);
        Assert.DoesNotContain(key, run.Stderr);
    }

    [Fact]
    public async Task An_unreachable_database_is_try_again_and_never_shows_the_password()
    {
        const string password = "fleet-password-never-printed";
        SuiteCapture.RecordSecret("postgres_password", password);
        var closed = $"Host=127.0.0.1;Port={TestTools.FreeLoopbackPort()};Database=nowhere;Username=fleet;Password={password};Timeout=3";

        var run = await Cli(("MCPAUTH_POSTGRES_CONNECTION", closed), ("MCPAUTH_STORE_KEY", NewKey())).RunAsync("token", Server);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("(StoreUnavailable", run.Stderr);
        Assert.Contains("try again", run.Stderr);
        Assert.Contains("fleet@127.0.0.1", run.Stderr);
        Assert.DoesNotContain(password, run.Stderr);
    }
}
