using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands.Import;

/// <summary>The run step of <c>mcpauth import</c>.</summary>
public sealed class ImportRunner(CliContext cli, Func<ICliEngine> engine)
{
    public async Task<int> RunAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var view = await core.ImportAsync(options, cancellationToken).ConfigureAwait(false);
        var now = cli.Time.GetUtcNow();
        if (options.Json)
        {
            await CliJsonContext.WriteAsync(cli, CredentialJson.From(view, core.Storage, now, showToken: false), CliJsonContext.Default.CredentialJson)
                .ConfigureAwait(false);
        }
        var expiry = view.ExpiresAt is { } e ? $", expires {RelativeTime.Format(e, now)}" : "";
        var refresh = view.RefreshToken is null ? ", no refresh token" : ", refreshable";
        await cli.Err.WriteLineAsync(cli.Green($"Imported a credential for {view.Server} (profile {view.Profile}, client {view.ClientId}{expiry}{refresh}).")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
