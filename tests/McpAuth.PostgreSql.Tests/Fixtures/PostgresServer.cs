using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace McpAuth.PostgreSql.Tests.Fixtures;

/// <summary>
/// A real PostgreSQL server of its own: initdb into a temporary folder, started on 127.0.0.1 on a free port with its unix
/// socket in that folder, one database created. Runs as the <c>postgres</c> system user when the tests run as root
/// (PostgreSQL refuses root). Disposing stops it and deletes the folder. Same surface as the integration-test fixture,
/// so this one can be replaced by a link to it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SuperUser = "postgres";
    private const int StartAttempts = 3;
    private readonly string _bin = Environment.GetEnvironmentVariable("MCPAUTH_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    private readonly string? _runAs = Environment.UserName == "root" ? "postgres" : null;
    private string? _root;
    private bool _running;

    public string Database { get; } = "mcpauth_test";

    public int Port { get; private set; }

    public string ConnectionString => ConnectionStringFor(Database);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates another database (for tests that need one to themselves) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    public async Task InitializeAsync()
    {
        _root = (await RunAsync("mktemp", ["-d", Path.Combine(Path.GetTempPath(), "mcpauth-pgstore-test.XXXXXX")], check: true)).Output.Trim();
        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], check: true);
        await StartOnFreePortAsync();
        await CreateDatabaseAsync(Database);
    }

    /// <summary>Stops the server at once and deletes its folder.</summary>
    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        if (_running)
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], check: false);
            _running = false;
        }
        Directory.Delete(_root, recursive: true);
        _root = null;
    }

    /// <summary>A loopback port with nothing listening on it (right now).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string DataDirectory => Path.Combine(_root!, "data");

    // PostgreSQL cannot listen on port 0: take a port that was free, and try another if it was taken meanwhile.
    private async Task StartOnFreePortAsync()
    {
        var log = Path.Combine(_root!, "postgres.log");
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root} -c fsync=off -c synchronous_commit=off";
            var (exitCode, output) = await RunAsync(Path.Combine(_bin, "pg_ctl"),
                ["-D", DataDirectory, "-l", log, "-w", "-t", "30", "-o", options, "start"], check: false);
            if (exitCode == 0)
            {
                _running = true;
                return;
            }
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException($"PostgreSQL did not start:\n{output}\n{File.ReadAllText(log)}");
            }
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string tool, string[] arguments, bool check)
    {
        var start = new ProcessStartInfo(_runAs is null ? tool : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root ?? Path.GetTempPath(),
        };
        foreach (var argument in _runAs is null ? arguments : ["-u", _runAs, "--", tool, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode == 0)
        {
            return (0, await stdout);
        }
        var output = await stdout + await stderr;
        return check ? throw new InvalidOperationException($"{tool} exited with {process.ExitCode}:\n{output}") : (process.ExitCode, output);
    }
}
