using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>The steps that talk to authorization servers: provided by the McpAuth OAuth engine.</summary>
internal interface IOAuthOperations : IAsyncDisposable
{
    Task LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken);

    /// <summary>Refreshes a stored credential (single flight across processes) and returns the new access token.</summary>
    Task<string> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken);

    /// <summary>
    /// Logs out of one credential: revokes its tokens (RFC 7009), then always clears it; removes its registration
    /// unless <paramref name="keepRegistration"/>.
    /// </summary>
    Task<LogoutAction> LogoutAsync(StoredCredential credential, bool keepRegistration, CancellationToken cancellationToken);

    Task ImportAsync(ImportOptions options, CancellationToken cancellationToken);
}
