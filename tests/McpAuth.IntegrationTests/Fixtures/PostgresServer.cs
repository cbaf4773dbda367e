using System.Diagnostics;
using Npgsql;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// A real PostgreSQL server of its own: initdb into a temporary folder, started on 127.0.0.1 on a free port with its
/// unix socket in that folder, one database created. Runs as the <c>postgres</c> system user when the tests run as
/// root (PostgreSQL refuses root). Disposing stops it and deletes the folder; so does a crash of the test process
/// (a guard shell waits for its stdin to close, then stops the server and deletes the folder). Starts in 1-3 s (initdb); use one per test
/// class (<c>IClassFixture&lt;PostgresServer&gt;</c>) and <see cref="CreateDatabaseAsync"/> for isolation.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SuperUser = "postgres";
    private const int StartAttempts = 3;

    // Arguments: pg_ctl, data directory, folder. Waits for a line on stdin: "stop" on disposal, or the end of input when
    // the test process died, maybe in the middle of a start (then it lets that start finish before stopping the server).
    private const string GuardScript = "exec >/dev/null 2>&1; read -r reason; [ \"$reason\" = stop ] || sleep 10; "
        + "\"$1\" -D \"$2\" -m immediate -w stop; rm -rf \"$3\"";
    private readonly string _bin = TestTools.PostgresBinDirectory;
    private readonly string? _runAs = ProcessRunner.IsRoot ? "postgres" : null;
    private string? _root;
    private Process? _guard;

    /// <summary>
    /// Keeps PostgreSQL's durable defaults (fsync, synchronous commit, full page writes). Off by default, for speed: a
    /// crash (<see cref="StopAsync"/> "immediate") may then lose the last committed transactions, as a misconfigured
    /// production database would.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>The database created at start.</summary>
    public string Database { get; } = "mcpauth_test";

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>How long initdb, start and database creation took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>A connection string for <see cref="Database"/> (no password: trust authentication on loopback).</summary>
    public string ConnectionString => ConnectionStringFor(Database);

    /// <summary>A connection string for another database on this server.</summary>
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
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _root = await CreateRootAsync();
        _guard = ProcessRunner.StartWithInput("sh", ["-c", GuardScript, "guard", Tool("pg_ctl"), DataDirectory, _root], _runAs, _root);
        try
        {
            await ProcessRunner.RunCheckedAsync(
                Tool("initdb"),
                ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"],
                _runAs, _root);
            await StartOnFreePortAsync();
            await CreateDatabaseAsync(Database);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        StartupTime = clock.Elapsed;
    }

    /// <summary>Stops the server at once and deletes its folder.</summary>
    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await StopGuardAsync();
        if (Directory.Exists(_root))
        {
            await ProcessRunner.RunAsync(Tool("pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _runAs, _root);
            Directory.Delete(_root, recursive: true);
        }

        _root = null;
    }

    private string DataDirectory => Path.Combine(_root!, "data");

    private string? _startOptions;

    /// <summary>
    /// Stops the server with <c>pg_ctl stop -m <paramref name="mode"/></c>: "fast" ends every session and checkpoints,
    /// "immediate" is a crash (recovery at the next start). Its data stays; <see cref="StartAgainAsync"/> brings it back.
    /// </summary>
    public Task StopAsync(string mode) => PgCtlAsync(["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"]);

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port.</summary>
    public Task StartAgainAsync() =>
        PgCtlAsync(["-D", DataDirectory, "-l", Path.Combine(_root!, "postgres.log"), "-w", "-t", "60", "-o", _startOptions!, "start"]);

    /// <summary><c>pg_ctl restart -m <paramref name="mode"/></c>, on the same port.</summary>
    public Task RestartAsync(string mode) =>
        PgCtlAsync(["-D", DataDirectory, "-l", Path.Combine(_root!, "postgres.log"), "-m", mode, "-w", "-t", "60", "-o", _startOptions!, "restart"]);

    private async Task PgCtlAsync(string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(Tool("pg_ctl"), arguments, _runAs, _root);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {arguments[^1]} failed:\n{result.StandardOutput}\n{result.StandardError}");
        }
    }

    private async Task StopGuardAsync()
    {
        if (_guard is null)
        {
            return;
        }

        try
        {
            await _guard.StandardInput.WriteLineAsync("stop");
            _guard.StandardInput.Close();
            await _guard.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            _guard.Kill(entireProcessTree: true);
        }
        finally
        {
            _guard.Dispose();
            _guard = null;
        }
    }

    private string Tool(string name) => Path.Combine(_bin, name);

    private async Task<string> CreateRootAsync()
    {
        if (_runAs is null)
        {
            return Directory.CreateTempSubdirectory("mcpauth-pg.").FullName;
        }

        // Made by the server's user, so it owns everything below.
        var path = await ProcessRunner.RunCheckedAsync("mktemp", ["-d", Path.Combine(Path.GetTempPath(), "mcpauth-pg.XXXXXX")], _runAs);
        return path.Trim();
    }

    // PostgreSQL cannot listen on port 0: take a port that was free, and try another if it was taken meanwhile.
    private async Task StartOnFreePortAsync()
    {
        var log = Path.Combine(_root!, "postgres.log");
        for (var attempt = 1; ; attempt++)
        {
            Port = TestTools.FreeLoopbackPort();
            var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root}"
                + (Durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            var result = await ProcessRunner.RunAsync(
                Tool("pg_ctl"), ["-D", DataDirectory, "-l", log, "-w", "-t", "30", "-o", options, "start"], _runAs, _root);
            if (result.ExitCode == 0)
            {
                _startOptions = options;
                return;
            }

            if (attempt == StartAttempts)
            {
                var tail = File.Exists(log) ? await File.ReadAllTextAsync(log) : string.Empty;
                throw new InvalidOperationException($"PostgreSQL did not start:\n{result.StandardOutput}\n{result.StandardError}\n{tail}");
            }
        }
    }
}
