using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands;

/// <summary>Runs a command's run step and turns failures into a message on stderr and a documented exit code.</summary>
public static class CommandErrors
{
    /// <param name="cli">Where the message goes.</param>
    /// <param name="run">The run step.</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    /// <param name="server">The server the command was given, if any: a "log in again" message names it.</param>
    /// <param name="profile">The profile it was given, when not the default one.</param>
    public static async Task<int> RunAsync(CliContext cli, Func<CancellationToken, Task<int>> run, CancellationToken cancellationToken,
        string? server = null, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return await run(cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await cli.Err.WriteLineAsync($"mcpauth: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (McpAuthException e)
        {
            return await ReportAsync(cli, e, LoginCommand(server, profile)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await cli.Err.WriteLineAsync("mcpauth: cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>The exit code for an engine failure.</summary>
    public static int ExitCodeFor(McpAuthException exception) => exception?.Code switch
    {
        McpAuthErrorCode.LoginRequired or McpAuthErrorCode.InvalidGrant or McpAuthErrorCode.InteractionRequired => ExitCodes.LoginNeeded,
        McpAuthErrorCode.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.Error,
    };

    /// <summary>
    /// The login to run when a new one is needed: the command's own server and profile, quoted for a POSIX shell when
    /// the URL has characters a shell would take (a query's '&amp;'); the login remembers its flags, so none are needed.
    /// </summary>
    internal static string LoginCommand(string? server, string? profile)
    {
        var target = server is null ? "<server-url>" : ShellWord(server);
        return profile is null or CommonOptions.DefaultProfile ? $"mcpauth login {target}" : $"mcpauth login {target} --profile {ShellWord(profile)}";
    }

    private static string ShellWord(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || ":/._~%-+=@,".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<int> ReportAsync(CliContext cli, McpAuthException e, string loginCommand)
    {
        await cli.Err.WriteLineAsync($"mcpauth: {e.Message}").ConfigureAwait(false);
        if (e.OAuthError is not null)
        {
            var description = e.OAuthErrorDescription is null ? "" : $": {TerminalText.Sanitize(e.OAuthErrorDescription)}";
            await cli.Err.WriteLineAsync($"  server said {TerminalText.Sanitize(e.OAuthError, 64)}{description}").ConfigureAwait(false);
        }
        if (e.Code == McpAuthErrorCode.TlsFailure)
        {
            await cli.Err.WriteLineAsync($"  {Engine.CliHttp.TlsHint}").ConfigureAwait(false);
        }
        var code = ExitCodeFor(e);
        if (code == ExitCodes.LoginNeeded)
        {
            await cli.Err.WriteLineAsync($"  Run: {TerminalText.Sanitize(loginCommand)}").ConfigureAwait(false);
        }
        return code;
    }
}
