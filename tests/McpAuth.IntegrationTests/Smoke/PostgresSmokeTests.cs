using Xunit.Abstractions;
using McpAuth.IntegrationTests.Fixtures;
using Npgsql;

namespace McpAuth.IntegrationTests.Smoke;

/// <summary>Proves the PostgreSQL fixture is a real server: connect, write, read, more databases, clean stop.</summary>
public sealed class PostgresSmokeTests(PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Connects_WritesAndReadsBack()
    {
        output.WriteLine($"PostgreSQL started in {server.StartupTime.TotalMilliseconds:F0} ms");
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE smoke (id int PRIMARY KEY, value text); INSERT INTO smoke VALUES (1, 'one')", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var select = new NpgsqlCommand("SELECT value, current_database(), current_setting('server_version_num')::int FROM smoke", connection);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("one", reader.GetString(0));
        Assert.Equal(server.Database, reader.GetString(1));
        Assert.True(reader.GetInt32(2) >= 130000, $"server_version_num {reader.GetInt32(2)}");
    }

    [Fact]
    public async Task CreateDatabase_GivesASeparateDatabase()
    {
        var connectionString = await server.CreateDatabaseAsync("smoke_other");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        Assert.Equal("smoke_other", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Dispose_StopsTheServer()
    {
        var own = new PostgresServer();
        await own.InitializeAsync();
        var connectionString = own.ConnectionString;
        Assert.True(own.StartupTime < TimeSpan.FromSeconds(30), $"start took {own.StartupTime}");

        await own.DisposeAsync();

        await using var connection = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAsync<NpgsqlException>(() => connection.OpenAsync());
    }
}
