namespace McpAuth.Cli;

/// <summary>
/// A failure the CLI reports with a fixed, safe message (no token, secret or server body) and an exit code.
/// </summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Error, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The process exit code this failure maps to.</summary>
    public int ExitCode { get; } = exitCode;
}
