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

    /// <summary>Revokes the credential's tokens (RFC 7009). Returns whether it did, and why not.</summary>
    Task<(bool Revoked, string? Note)> RevokeAsync(StoredCredential credential, CancellationToken cancellationToken);

    /// <summary>Deletes the client registration the credential was issued to, when it was a dynamic one.</summary>
    Task<bool> ForgetRegistrationAsync(StoredCredential credential, CancellationToken cancellationToken);

    Task ImportAsync(ImportOptions options, CancellationToken cancellationToken);
}
