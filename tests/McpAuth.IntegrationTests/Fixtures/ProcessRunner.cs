using System.Diagnostics;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>The outcome of a finished command.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs short commands (initdb, pg_ctl) to completion, optionally as another user through runuser.</summary>
public static class ProcessRunner
{
    /// <summary>True when the tests run as root (CI does): servers that refuse root run as a system user.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a command and returns its exit code and output, without throwing on a non-zero exit.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string? asUser = null, string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(StartInfo(fileName, arguments, asUser, workingDirectory, redirectOutput: true))
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Starts a command whose stdin stays open until the returned process's StandardInput is closed: when the test
    /// process dies, the pipe closes too, so a command that waits for the end of its input cleans up after a crash.
    /// </summary>
    public static Process StartWithInput(string fileName, IEnumerable<string> arguments, string? asUser = null, string? workingDirectory = null) =>
        Process.Start(StartInfo(fileName, arguments, asUser, workingDirectory, redirectOutput: false))
            ?? throw new InvalidOperationException($"Could not start {fileName}.");

    private static ProcessStartInfo StartInfo(
        string fileName, IEnumerable<string> arguments, string? asUser, string? workingDirectory, bool redirectOutput)
    {
        var start = new ProcessStartInfo(asUser is null ? fileName : "runuser")
        {
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = redirectOutput,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (asUser is not null)
        {
            foreach (var prefix in new[] { "-u", asUser, "--", fileName })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs a command and throws, with its output, when it exits non-zero.</summary>
    public static async Task<string> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, string? asUser = null, string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(fileName, arguments, asUser, workingDirectory, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} exited with {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        }

        return result.StandardOutput;
    }
}
