using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands.Logout;

/// <summary>The run step of <c>mcpauth logout</c>: revokes and clears, and says exactly what it did.</summary>
public sealed class LogoutRunner(CliContext cli, Func<ICliEngine> engine)
{
    public async Task<int> RunAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var actions = await core.LogoutAsync(options, cancellationToken).ConfigureAwait(false);
        if (options.Json)
        {
            await CliJsonContext.WriteAsync(cli, new LogoutJson(actions), CliJsonContext.Default.LogoutJson).ConfigureAwait(false);
        }
        if (actions.Count == 0)
        {
            await cli.Err.WriteLineAsync("Nothing to log out of: no stored credential matched.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        foreach (var action in actions)
        {
            await cli.Err.WriteLineAsync(Describe(action, options.KeepRegistration)).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    /// <summary>One sentence per credential: what was revoked, cleared and kept.</summary>
    public static string Describe(LogoutAction action, bool keptRegistration)
    {
        ArgumentNullException.ThrowIfNull(action);
        var revoked = action.Revoked
            ? "revoked the tokens at the authorization server"
            // What happened to each token: the note begins "revoked the refresh token; ..." (TokenRevoker.Note).
            : action.RefreshTokenRevoked ? TerminalText.Sanitize(action.RevocationNote ?? "revoked the refresh token", 200)
            : $"did not revoke the tokens ({TerminalText.Sanitize(action.RevocationNote ?? "no revocation endpoint", 120)})";
        var cleared = action.Cleared ? "removed them from the store" : "found nothing stored";
        var registration = action.RegistrationRemoved && action.RegistrationDeletedAtServer
                ? "removed the client registration, here and at the authorization server"
            : action.RegistrationRemoved && action.RegistrationDeletionError is { } error
                ? $"removed the client registration here (deleting it at the authorization server failed: {error})"
            : action.RegistrationRemoved ? "removed the client registration"
            : action.RegistrationInUse ? "kept the client registration (another stored credential uses it)"
            : keptRegistration ? "kept the client registration" : "left the client registration";
        return $"Logged out of {action.Server} (profile {action.Profile}): {revoked}, {cleared}, {registration}.";
    }
}
