using System.Diagnostics;
using System.Text;

namespace McpAuth.Cli.Tests;

/// <summary>The outcome of one run of the built <c>mcpauth</c> executable.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>
/// Runs the built <c>mcpauth</c> as a separate process (the real apphost, as a user would), with a private
/// MCPAUTH_HOME, capturing stdout, stderr and the exit code.
/// </summary>
public sealed class CliProcess
{
    /// <summary>The apphost copied next to the test assembly by the project reference.</summary>
    public static string ExecutablePath { get; } = FindExecutable();

    public CliProcess(string home) => Home = home;

    public string Home { get; }

    public Dictionary<string, string?> Environment { get; } = new();

    public async Task<CliRun> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        Func<Process, Task>? whileRunning = null, Action<string>? stdoutLine = null,
        Action<string>? stderrLine = null)
    {
        var info = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["MCPAUTH_HOME"] = Home;
        info.Environment["BROWSER"] = "/bin/false";
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mcpauth did not start");
        var stdout = ReadAllAsync(process.StandardOutput, stdoutLine);
        var stderr = ReadAllAsync(process.StandardError, stderrLine);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        if (whileRunning is not null)
        {
            await whileRunning(process);
        }
        else
        {
            process.StandardInput.Close();
        }
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mcpauth {string.Join(' ', args)} did not exit in time. stderr: {await stderr}");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    public Task<CliRun> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>All of <paramref name="reader"/>; each line also goes to <paramref name="onLine"/> as it arrives.</summary>
    private static async Task<string> ReadAllAsync(StreamReader reader, Action<string>? onLine)
    {
        if (onLine is null)
        {
            return await reader.ReadToEndAsync();
        }
        var all = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            onLine(line);
        }
        return all.ToString();
    }

    private static string FindExecutable()
    {
        var name = OperatingSystem.IsWindows() ? "mcpauth.exe" : "mcpauth";
        var local = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(local))
        {
            return local;
        }
        var hostName = OperatingSystem.IsWindows() ? "McpAuth.Cli.exe" : "McpAuth.Cli";
        var host = Path.Combine(AppContext.BaseDirectory, hostName);
        return File.Exists(host) ? host : throw new FileNotFoundException("The mcpauth executable was not built next to the tests.", local);
    }
}
