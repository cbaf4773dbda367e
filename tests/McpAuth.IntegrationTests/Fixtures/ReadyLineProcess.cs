using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// A server process a test starts (oidc-provider, the Cloudflare Worker, the C# SDK server): its stderr is kept as its
/// log; it is ready when it prints its first stdout line, a JSON object naming where it listens; closing its stdin stops
/// it, and it is killed when it has not exited after a grace period. The one launcher of the fixtures' servers.
/// </summary>
public sealed class ReadyLineProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly string _name;
    private readonly TimeSpan _stopGrace;
    private Process? _process;

    private ReadyLineProcess(string name, TimeSpan stopGrace)
    {
        _name = name;
        _stopGrace = stopGrace;
    }

    /// <summary>What the process wrote on stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// A start for <paramref name="fileName"/> with stdin, stdout and stderr redirected; add arguments and variables to it.
    /// Also for the Node programs the tests drive (the TypeScript stdio client, mcp-remote).
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, string? workingDirectory = null) => new(fileName)
    {
        WorkingDirectory = workingDirectory ?? string.Empty,
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };

    /// <summary>
    /// Starts <paramref name="start"/> and waits at most <paramref name="timeout"/> for its ready line; on failure the
    /// process is stopped and the exception carries its log. Dispose the process to stop it.
    /// </summary>
    /// <param name="name">How errors name it (e.g. "oidc-server.mjs").</param>
    public static async Task<(ReadyLineProcess Process, JsonDocument Ready)> StartAsync(
        ProcessStartInfo start, string name, TimeSpan timeout, TimeSpan stopGrace, CancellationToken cancellationToken = default)
    {
        var server = new ReadyLineProcess(name, stopGrace);
        try
        {
            return (server, await server.StartCoreAsync(start, timeout, cancellationToken));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task<JsonDocument> StartCoreAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_name}.");
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{_name} did not start within {timeout}:\n{Log}");
        }
        if (line is null || !line.StartsWith('{'))
        {
            await Task.WhenAny(_process.WaitForExitAsync(CancellationToken.None), Task.Delay(TimeSpan.FromSeconds(2)));
            throw new InvalidOperationException($"{_name} failed to start ({line}):\n{Log}");
        }
        return JsonDocument.Parse(line);
    }

    /// <summary>Stops the process: closes its stdin (it exits), and kills it if it has not exited after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(_stopGrace);
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
