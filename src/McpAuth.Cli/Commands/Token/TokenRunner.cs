using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Commands.Token;

/// <summary>
/// The run step of <c>mcpauth token</c> (and of <c>mcpauth headers</c>, which prints the same token in another form):
/// only the token, as <paramref name="format"/> writes it, and a newline on stdout; a login-needed failure is exit 4
/// (mapped by <see cref="CommandErrors"/>).
/// </summary>
/// <param name="format">How the token is printed; the token itself when null.</param>
public sealed class TokenRunner(CliContext cli, Func<ICliEngine> engine, Func<string, string>? format = null)
{
    public async Task<int> RunAsync(TokenOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var token = await core.GetAccessTokenAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
        await cli.Out.WriteAsync((format is null ? token : format(token)) + "\n").ConfigureAwait(false);
        await cli.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
