using System.Security.Cryptography;
using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Tests.Commands;

/// <summary>The one place the CLI chooses its store: which variables choose PostgreSQL, and what is refused.</summary>
public sealed class StoreSettingsTests : IDisposable
{
    private const string Connection = "Host=db.example;Database=fleet;Username=ci;Password=pg-password-1234";
    private readonly TempHome _home = new();
    private readonly Dictionary<string, string> _environment = new();
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public void Dispose() => _home.Dispose();

    private PostgresStoreSettings? Read() => StoreSettings.FromEnvironment(name => _environment.GetValueOrDefault(name));

    private McpAuthException Refused() => Assert.Throws<McpAuthException>(Read);

    [Fact]
    public void Without_store_variables_the_file_store_is_chosen() => Assert.Null(Read());

    [Fact]
    public void Store_file_wins_over_postgres_variables()
    {
        _environment["MCPAUTH_STORE"] = "file";
        _environment["MCPAUTH_POSTGRES_CONNECTION"] = Connection;

        Assert.Null(Read());
    }

    [Fact]
    public void A_connection_string_and_a_key_choose_postgres_with_the_default_schema()
    {
        _environment["MCPAUTH_POSTGRES_CONNECTION"] = Connection;
        _environment["MCPAUTH_STORE_KEY"] = _key;

        var settings = Read()!;

        Assert.Equal(Connection, settings.ConnectionString);
        Assert.Equal("mcpauth", settings.Schema);
        Assert.Equal(Convert.FromBase64String(_key), settings.EnvelopeKey);
        Assert.DoesNotContain("pg-password", settings.ToString(), StringComparison.Ordinal);
        Assert.Equal("ci@db.example:5432/fleet, schema mcpauth", PostgresCliStore.Describe(settings));
    }

    [Fact]
    public void An_unknown_store_is_refused_naming_the_variable()
    {
        _environment["MCPAUTH_STORE"] = "redis";

        var error = Refused();

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.Equal("MCPAUTH_STORE", error.Detail);
    }

    [Fact]
    public void A_secret_in_a_variable_and_a_file_at_once_is_refused()
    {
        _environment["MCPAUTH_POSTGRES_CONNECTION"] = Connection;
        _environment["MCPAUTH_STORE_KEY"] = _key;
        _environment["MCPAUTH_STORE_KEY_FILE"] = Path.Combine(_home.Path, "key");

        Assert.Equal("MCPAUTH_STORE_KEY", Refused().Detail);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_key_that_is_not_32_bytes_of_base64_is_refused_without_echoing_it(string key)
    {
        _environment["MCPAUTH_POSTGRES_CONNECTION"] = Connection;
        _environment["MCPAUTH_STORE_KEY"] = key;

        var error = Refused();

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.Equal("MCPAUTH_STORE_KEY", error.Detail);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Owner_only_files_are_read_and_trimmed()
    {
        var connection = await EndToEnd.PostgresFleet.OwnerOnlyFileAsync(Path.Combine(_home.Path, "pg"), Connection + "\n");
        var key = await EndToEnd.PostgresFleet.OwnerOnlyFileAsync(Path.Combine(_home.Path, "key"), _key + "\n");
        _environment["MCPAUTH_POSTGRES_CONNECTION_FILE"] = connection;
        _environment["MCPAUTH_STORE_KEY_FILE"] = key;
        _environment["MCPAUTH_POSTGRES_SCHEMA"] = "fleet_a";

        var settings = Read()!;

        Assert.Equal(Connection, settings.ConnectionString);
        Assert.Equal("fleet_a", settings.Schema);
        Assert.Equal("MCPAUTH_STORE_KEY_FILE", settings.KeySource);
    }
}
