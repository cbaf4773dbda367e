using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Callback;
using McpAuth.Engine.Lifecycle;
using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Cli.Engine;

/// <summary>
/// The CLI engine over the McpAuth store (file store under the McpAuth home) and credential lifecycle: status, token
/// (fresh tokens), logout (revoke + clear). What needs the OAuth engine (login, import's discovery, refresh) goes
/// through <see cref="IOAuthOperations"/>.
/// </summary>
internal sealed class StoreEngine : ICliEngine
{
    private readonly CliContext _cli;
    private readonly FileTokenStore _store;
    private readonly CredentialLifecycle _lifecycle;
    private readonly Lazy<IOAuthOperations> _oauth;

    public StoreEngine(CliContext cli, FileTokenStore store, Func<CredentialLifecycle, IOAuthOperations> oauth)
    {
        _cli = cli;
        _store = store;
        _lifecycle = new CredentialLifecycle(new TokenVault(store), cli.Time);
        _oauth = new Lazy<IOAuthOperations>(() => oauth(_lifecycle));
    }

    public StorageInfo Storage => new(_store.BackendName, _store.KeyProtection, _store.KeyProtection != KeyProtectionNames.KeyFile);

    public async Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _oauth.Value.LoginAsync(options, interaction, cancellationToken).ConfigureAwait(false);
        return await StoredViewAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetAccessTokenAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(server, profile, cancellationToken).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, server.GetLeftPart(UriPartial.Path));
        if (stored.State == CredentialState.NeedsReauthorization)
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, server.GetLeftPart(UriPartial.Path));
        }
        if (_lifecycle.Refresh.IsFresh(stored))
        {
            return stored.Tokens.AccessToken;
        }
        if (stored.Tokens.RefreshToken is null)
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, server.GetLeftPart(UriPartial.Path));
        }
        return await _oauth.Value.RefreshAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CredentialView?> FindUsableAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(server, profile, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }
        var view = await ViewAsync(stored, cancellationToken).ConfigureAwait(false);
        return view.NeedsAttention(_cli.Time.GetUtcNow()) ? null : view;
    }

    public async Task<(IReadOnlyList<CredentialView> Credentials, int Unreadable)> ListAsync(CancellationToken cancellationToken)
    {
        var (credentials, unreadable) = await _lifecycle.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<CredentialView>(credentials.Count);
        foreach (var credential in credentials)
        {
            views.Add(await ViewAsync(credential, cancellationToken).ConfigureAwait(false));
        }
        return (views, unreadable.Count);
    }

    public async Task<IReadOnlyList<LogoutAction>> LogoutAsync(LogoutOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (credentials, _) = await _lifecycle.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var chosen = credentials.Where(c =>
            (options.Server is null || ResourceMatch.Same(c.Binding.Resource, options.Server))
            && (options.All || c.Binding.Profile == options.Profile)).ToList();
        var actions = new List<LogoutAction>(chosen.Count);
        foreach (var credential in chosen)
        {
            actions.Add(await _oauth.Value.LogoutAsync(credential, options.KeepRegistration, cancellationToken).ConfigureAwait(false));
        }
        return actions;
    }

    public async Task<CredentialView> ImportAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _oauth.Value.ImportAsync(options, cancellationToken).ConfigureAwait(false);
        return await StoredViewAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CredentialView> StoredViewAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(server, profile, cancellationToken).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "the credential was not found after saving it");
        return await ViewAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The credential for (server, profile): the active client's, else the only one stored.</summary>
    private async Task<StoredCredential?> FindAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var (credentials, _) = await _lifecycle.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var matching = credentials.Where(c => c.Binding.Profile == profile && ResourceMatch.Same(c.Binding.Resource, server)).ToList();
        if (matching.Count <= 1)
        {
            return matching.SingleOrDefault();
        }
        foreach (var candidate in matching)
        {
            var b = candidate.Binding;
            if (await _lifecycle.Vault.GetActiveClientIdAsync(b.Profile, b.Resource, b.Issuer, cancellationToken).ConfigureAwait(false) == b.ClientId)
            {
                return candidate;
            }
        }
        return matching.OrderByDescending(c => c.UpdatedAt).First();
    }

    private async Task<CredentialView> ViewAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        var status = await _lifecycle.GetStatusAsync(credential.Binding, cancellationToken).ConfigureAwait(false);
        var b = credential.Binding;
        return new CredentialView
        {
            Server = b.Resource, Profile = b.Profile, Issuer = b.Issuer, ClientId = b.ClientId,
            Scope = credential.Tokens.Scope, State = status?.State ?? credential.State, ExpiresAt = credential.Tokens.ExpiresAt,
            AccessToken = credential.Tokens.AccessToken, RefreshToken = credential.Tokens.RefreshToken,
        };
    }

    public ValueTask DisposeAsync() => _oauth.IsValueCreated ? _oauth.Value.DisposeAsync() : ValueTask.CompletedTask;
}
