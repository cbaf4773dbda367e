using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests;

/// <summary>The outcome of one run of the built <c>mcpauth</c> executable.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>
/// Runs the built <c>mcpauth</c> as a separate process (the real apphost, as a user would), with a private
/// MCPAUTH_HOME, capturing stdout, stderr and the exit code. Every run logs at Trace (MCPAUTH_LOG=trace) and goes
/// whole to the secret sweep's capture (<see cref="SuiteCapture.RecordCliRun"/>); the test sees stderr without the
/// log lines, as a user without MCPAUTH_LOG would.
/// </summary>
public sealed partial class CliProcess
{
    /// <summary>The apphost copied next to the test assembly by the project reference.</summary>
    public static string ExecutablePath { get; } = FindExecutable();

    public CliProcess(string home) => Home = home;

    public string Home { get; }

    /// <summary>The executable to run: the apphost beside the tests unless a test names another (the native binary).</summary>
    public string Executable { get; init; } = ExecutablePath;

    public Dictionary<string, string?> Environment { get; } = new();

    public async Task<CliRun> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        Func<Process, Task>? whileRunning = null, Action<string>? stdoutLine = null,
        Action<string>? stderrLine = null)
    {
        var info = new ProcessStartInfo(Executable)
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
        info.Environment["MCPAUTH_LOG"] = "trace";
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mcpauth did not start");
        var stdout = ReadAllAsync(process.StandardOutput, stdoutLine);
        var stderr = ReadAllAsync(process.StandardError, stderrLine is null ? null : line =>
        {
            if (!LogLine().IsMatch(line))
            {
                stderrLine(line);
            }
        });
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
            SuiteCapture.RecordCliRun([.. args], await stdout, await stderr);
            throw new TimeoutException($"mcpauth {string.Join(' ', args)} did not exit in time. stderr: {WithoutLogLines(await stderr)}");
        }
        SuiteCapture.RecordCliRun([.. args], await stdout, await stderr);
        SuiteCapture.RecordFileStoreSecrets(Home); // the DPoP private keys it made, which no server ever sees
        return new CliRun(process.ExitCode, await stdout, WithoutLogLines(await stderr), clock.Elapsed);
    }

    public Task<CliRun> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>stderr without the MCPAUTH_LOG lines ("trce: McpAuth.Engine.McpAuthClient[3] ...").</summary>
    public static string WithoutLogLines(string stderr) => LogLine().Replace(stderr, "");

    /// <summary>One line of the CLI's MCPAUTH_LOG output with its line end (each entry is one line).</summary>
    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): \S+\[\d+\] .*(\n|$)", RegexOptions.Multiline)]
    private static partial Regex LogLine();

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

    /// <summary>
    /// The CLI's own build output (src/McpAuth.Cli/bin/CONFIGURATION/TFM/mcpauth), as a user runs it: its folder has its
    /// own runtimeconfig (Microsoft.NETCore.App only) and every assembly it needs. The copy next to the tests is the
    /// fallback: a test project that targets ASP.NET Core gets the Microsoft.Extensions assemblies from that framework,
    /// so they are missing beside it and the CLI, which does not target it, could not load them from there.
    /// </summary>
    private static string FindExecutable()
    {
        var name = OperatingSystem.IsWindows() ? "mcpauth.exe" : "mcpauth";
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var folder = here; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpAuth.slnx")))
            {
                var own = Path.Combine(folder.FullName, "src", "McpAuth.Cli", "bin", here.Parent!.Name, here.Name, name);
                if (File.Exists(own))
                {
                    return own;
                }
                break;
            }
        }
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
