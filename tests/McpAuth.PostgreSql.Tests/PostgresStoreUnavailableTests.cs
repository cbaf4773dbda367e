using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;
using Npgsql;

namespace McpAuth.PostgreSql.Tests;

public sealed class PostgresStoreUnavailableTests
{
    private const string Password = "pw-must-not-leak-7f3a";
    private static readonly StoreKey Entry = new(StoreEntryKind.Credential, "c");

    // The whole-suite secret sweep looks for the password in every log line and exception of the run too.
    public PostgresStoreUnavailableTests() => SuiteCapture.RecordSecret("database_password", Password);

    [Fact]
    public async Task No_server_at_start_is_store_unavailable_without_the_connection_string()
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = TestTools.FreeLoopbackPort(),
            Username = "gateway",
            Password = Password,
            Database = "mcpauth",
            Timeout = 3,
        }.ConnectionString;

        var error = await Assert.ThrowsAsync<McpAuthException>(() => PostgresTokenStore.CreateAsync(
            new PostgresTokenStoreOptions { ConnectionString = connectionString,
                EnvelopeKey = new byte[32], LoggerFactory = SuiteLoggerFactory.Instance }, CancellationToken.None));

        Assert.Equal(McpAuthErrorCode.StoreUnavailable, error.Code);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_going_down_after_start_is_store_unavailable_for_every_operation()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        var store = await PostgresTokenStore.CreateAsync(
            new PostgresTokenStoreOptions { ConnectionString = server.ConnectionString + ";Timeout=3",
                EnvelopeKey = new byte[32], LoggerFactory = SuiteLoggerFactory.Instance },
            CancellationToken.None);
        await using (store)
        {
            await store.WriteAsync(Entry, "x"u8.ToArray(), CancellationToken.None);
            await server.DisposeAsync();

            Assert.Equal(McpAuthErrorCode.StoreUnavailable, (await Assert.ThrowsAsync<McpAuthException>(
                () => store.ReadAsync(Entry, CancellationToken.None).AsTask())).Code);
            Assert.Equal(McpAuthErrorCode.StoreUnavailable, (await Assert.ThrowsAsync<McpAuthException>(
                () => store.WriteAsync(Entry, "y"u8.ToArray(), CancellationToken.None).AsTask())).Code);
            Assert.Equal(McpAuthErrorCode.StoreUnavailable, (await Assert.ThrowsAsync<McpAuthException>(
                () => store.ListAsync(StoreEntryKind.Credential, CancellationToken.None).AsTask())).Code);
            Assert.Equal(McpAuthErrorCode.StoreUnavailable, (await Assert.ThrowsAsync<McpAuthException>(
                () => store.LockAsync(Entry, TimeSpan.FromSeconds(1), CancellationToken.None).AsTask())).Code);
        }
    }

    [Fact]
    public async Task Malformed_connection_string_is_refused_without_echoing_it()
    {
        var error = await Assert.ThrowsAsync<McpAuthException>(() => PostgresTokenStore.CreateAsync(
            new PostgresTokenStoreOptions { ConnectionString = $"Host=x;Password={Password};Bogus Key=1",
                EnvelopeKey = new byte[32], LoggerFactory = SuiteLoggerFactory.Instance },
            CancellationToken.None));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multiplexing_data_source_is_refused()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Multiplexing=true");

        var error = await Assert.ThrowsAsync<McpAuthException>(() => PostgresTokenStore.CreateAsync(
            new PostgresTokenStoreOptions { DataSource = dataSource,
                EnvelopeKey = new byte[32], LoggerFactory = SuiteLoggerFactory.Instance }, CancellationToken.None));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
    }
}
