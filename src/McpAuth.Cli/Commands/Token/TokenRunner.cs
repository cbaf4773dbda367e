using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Commands.Token;

/// <summary>
/// The run step of <c>mcpauth token</c>: only the token and a newline on stdout; a login-needed failure is exit 4
/// (mapped by <see cref="CommandErrors"/>).
/// </summary>
public sealed class TokenRunner(CliContext cli, Func<ICliEngine> engine)
{
    public async Task<int> RunAsync(TokenOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var token = await core.GetAccessTokenAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
        await cli.Out.WriteAsync(token + "\n").ConfigureAwait(false);
        await cli.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
