using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Http;
using McpAuth.Storage;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The OAuth steps available before the OAuth engine lands: revocation works (pure protocol + the guarded HTTP client);
/// login, import and refresh fail with a plain message. Nothing is faked.
/// </summary>
internal sealed class PendingOAuthOperations : IOAuthOperations
{
    private readonly HttpClient _http = new(OAuthHttpClient.CreateDefaultHandler());
    private readonly TokenRevoker _revoker;

    public PendingOAuthOperations() => _revoker = new TokenRevoker(new OAuthHttpClient(_http));

    private static CliException Missing(string what) =>
        new($"{what} needs the McpAuth OAuth engine, which is not in this build yet.");

    public Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken) =>
        throw Missing("Logging in");

    public Task<string> RefreshAsync(StoredCredential credential, CancellationToken cancellationToken) =>
        throw Missing("Refreshing the token");

    public Task<(bool Revoked, string? Note)> RevokeAsync(StoredCredential credential, CancellationToken cancellationToken) =>
        _revoker.RevokeAsync(credential, cancellationToken);

    public Task<bool> ForgetRegistrationAsync(StoredCredential credential, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<CredentialView> ImportAsync(ImportOptions options, CancellationToken cancellationToken) =>
        throw Missing("Importing (discovering the issuer)");

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
