using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// What the CLI's run steps need from the McpAuth engine and store. One adapter implements it over the library; tests
/// implement it with fakes so every run step is tested apart from the network.
/// </summary>
public interface ICliEngine : IAsyncDisposable
{
    /// <summary>Where credentials are kept, for status.</summary>
    StorageInfo Storage { get; }

    /// <summary>
    /// Logs in: discovery, registration (reused when possible), authorization through <paramref name="interaction"/>,
    /// and storage of the credential. <paramref name="interaction"/> is null for the device grant (--device).
    /// </summary>
    Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken);

    /// <summary>A valid access token, refreshed first when needed.</summary>
    /// <param name="server">The server URL as typed (validated here unless it is exactly a stored resource).</param>
    /// <param name="profile">The profile.</param>
    /// <param name="cancellationToken">Cancels a refresh.</param>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.LoginRequired"/> when a login is needed.</exception>
    /// <exception cref="CliException">
    /// <paramref name="server"/> is not an http or https URL; or the credential is DPoP-bound (exit
    /// <see cref="ExitCodes.DPoPRequired"/>): the server requires proofs that a bare token cannot carry.
    /// </exception>
    Task<string> GetAccessTokenAsync(string server, string profile, CancellationToken cancellationToken);

    /// <summary>A stored credential for (server, profile) that is usable without a login, or null.</summary>
    Task<CredentialView?> FindUsableAsync(Uri server, string profile, CancellationToken cancellationToken);

    /// <summary>Every stored credential, and how many entries could not be read.</summary>
    Task<(IReadOnlyList<CredentialView> Credentials, int Unreadable)> ListAsync(CancellationToken cancellationToken);

    /// <summary>Revokes (RFC 7009) and clears; one entry per credential handled.</summary>
    Task<IReadOnlyList<LogoutAction>> LogoutAsync(LogoutOptions options, CancellationToken cancellationToken);

    /// <summary>Stores tokens obtained elsewhere.</summary>
    Task<CredentialView> ImportAsync(ImportOptions options, CancellationToken cancellationToken);
}

/// <summary>The storage backend and where its key lives.</summary>
/// <param name="Backend">"file", "postgresql", "memory".</param>
/// <param name="KeyProtection">"os-keychain", "dpapi", "libsecret", "key-file", "envelope-key" (PostgreSQL) or "none".</param>
/// <param name="KeyInSecretStore">True when the store key is held by the OS secret store.</param>
public sealed record StorageInfo(string Backend, string KeyProtection, bool KeyInSecretStore)
{
    /// <summary>
    /// Where a shared store is (PostgreSQL: user@host:port/database and schema, never the password or the connection
    /// string); null for the file store, which is in the McpAuth home.
    /// </summary>
    public string? Location { get; init; }
}

/// <summary>One credential as the CLI shows it. Holds tokens: mask them unless asked.</summary>
public sealed record CredentialView
{
    public required string Server { get; init; }
    public required string Profile { get; init; }
    public required string Issuer { get; init; }
    public required string ClientId { get; init; }
    public string? Scope { get; init; }
    public CredentialState State { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required string AccessToken { get; init; }
    public string? RefreshToken { get; init; }
    /// <summary>The tokens are DPoP-bound (RFC 9449) to a key kept with the credential: only the proxy can use them.</summary>
    public bool DPoPBound { get; init; }
    /// <summary>The provider settings remembered from the login (nothing secret); empty when none.</summary>
    public Commands.Login.LoginSettings Settings { get; init; } = Commands.Login.LoginSettings.Empty;

    /// <summary>True when a person must act: re-authorization needed, or expired with no way to refresh.</summary>
    public bool NeedsAttention(DateTimeOffset now) =>
        State is CredentialState.NeedsReauthorization or CredentialState.Released
        || (ExpiresAt is { } expiry && expiry <= now && RefreshToken is null);

    public override string ToString() => $"CredentialView {{ Server = {Server}, Profile = {Profile}, ClientId = {ClientId}, State = {State} }}";
}

/// <summary>What logout did for one credential.</summary>
/// <param name="Revoked">Tokens revoked at the authorization server.</param>
/// <param name="RevocationNote">Why revocation was skipped or failed (no endpoint, server error); null when it worked.</param>
/// <param name="RegistrationRemoved">The client registration was removed too.</param>
public sealed record LogoutAction(
    string Server, string Profile, bool Revoked, string? RevocationNote, bool Cleared, bool RegistrationRemoved, bool RegistrationInUse = false,
    bool RegistrationDeletedAtServer = false, string? RegistrationDeletionError = null)
{
    /// <summary>
    /// The refresh token was revoked though <see cref="Revoked"/> is false: the server could not revoke the access
    /// token (a JWT: <c>unsupported_token_type</c>) or revoking it failed; <see cref="RevocationNote"/> says which.
    /// </summary>
    public bool RefreshTokenRevoked { get; init; }
}
