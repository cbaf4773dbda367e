using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands;

/// <summary>Runs a command's run step and turns failures into a message on stderr and a documented exit code.</summary>
public static class CommandErrors
{
    public static async Task<int> RunAsync(CliContext cli, Func<CancellationToken, Task<int>> run, CancellationToken cancellationToken)
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
            return await ReportAsync(cli, e).ConfigureAwait(false);
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

    private static async Task<int> ReportAsync(CliContext cli, McpAuthException e)
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
            await cli.Err.WriteLineAsync("  Run: mcpauth login <server-url>").ConfigureAwait(false);
        }
        return code;
    }
}
