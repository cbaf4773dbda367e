using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Callback;
using McpAuth.Engine.Lifecycle;
using McpAuth.Engine.Refresh;
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
    private readonly TokenVault _vault;
    private readonly RefreshOptions _refresh = new();
    private readonly Lazy<CredentialLifecycle> _lifecycle;
    private readonly Lazy<IOAuthOperations> _oauth;

    public StoreEngine(CliContext cli, FileTokenStore store, Func<CredentialLifecycle, IOAuthOperations> oauth)
    {
        _cli = cli;
        _store = store;
        _vault = new TokenVault(store);
        // Built on first use: `mcpauth token` with a fresh token reads the vault and needs neither the lifecycle's
        // events and caches nor the OAuth engine, and must not pay for loading them.
        _lifecycle = new Lazy<CredentialLifecycle>(() => new CredentialLifecycle(_vault, cli.Time, _refresh));
        _oauth = new Lazy<IOAuthOperations>(() => oauth(_lifecycle.Value));
    }

    public StorageInfo Storage => new(_store.BackendName, _store.KeyProtection, _store.KeyProtection != KeyProtectionNames.KeyFile);

    public async Task<CredentialView> LoginAsync(LoginOptions options, InteractiveAuthorization? interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _oauth.Value.LoginAsync(options, interaction, cancellationToken).ConfigureAwait(false);
        return await StoredViewAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetAccessTokenAsync(string server, string profile, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(server, null, profile, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.State == CredentialState.NeedsReauthorization)
        {
            throw LoginRequired(server);
        }
        if (_refresh.IsFresh(stored, _cli.Time.GetUtcNow()))
        {
            return stored.Tokens.AccessToken;
        }
        if (stored.Tokens.RefreshToken is null)
        {
            throw LoginRequired(server);
        }
        return await _oauth.Value.RefreshAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    private static McpAuthException LoginRequired(string server) =>
        new(McpAuthErrorCode.LoginRequired, CommonOptions.ParseServerUrl(server).GetLeftPart(UriPartial.Path));

    public async Task<CredentialView?> FindUsableAsync(Uri server, string profile, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(server.OriginalString, server, profile, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }
        var view = await ViewAsync(stored, cancellationToken).ConfigureAwait(false);
        return view.NeedsAttention(_cli.Time.GetUtcNow()) ? null : view;
    }

    public async Task<(IReadOnlyList<CredentialView> Credentials, int Unreadable)> ListAsync(CancellationToken cancellationToken)
    {
        var (credentials, unreadable) = await _vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
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
        var (credentials, _) = await _vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
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
        var stored = await FindAsync(server.OriginalString, server, profile, cancellationToken).ConfigureAwait(false)
            ?? throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "the credential was not found after saving it");
        return await ViewAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The credential for (server, profile): the active client's, else the only one stored. A URL that is exactly a
    /// stored resource (what login saved, and what scripts repeat) is matched as it is; any other is validated and
    /// compared in normalized form (<see cref="ResourceMatch"/>).
    /// </summary>
    /// <param name="server">The URL as typed.</param>
    /// <param name="parsed">The URL already parsed by the caller, when it has it; else it is parsed here if needed.</param>
    /// <param name="profile">The profile.</param>
    /// <param name="cancellationToken">Cancels the store reads.</param>
    /// <exception cref="CliException"><paramref name="server"/> matches nothing exactly and is not an http(s) URL.</exception>
    private async Task<StoredCredential?> FindAsync(string server, Uri? parsed, string profile, CancellationToken cancellationToken)
    {
        var credentials = (await _vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false)).Credentials;
        var matching = Matching(credentials, profile, server, null);
        if (matching.Count == 0)
        {
            matching = Matching(credentials, profile, server, parsed ?? CommonOptions.ParseServerUrl(server));
        }
        if (matching.Count <= 1)
        {
            return matching.Count == 0 ? null : matching[0];
        }
        foreach (var candidate in matching)
        {
            var b = candidate.Binding;
            if (await _vault.GetActiveClientIdAsync(b.Profile, b.Resource, b.Issuer, cancellationToken).ConfigureAwait(false) == b.ClientId)
            {
                return candidate;
            }
        }
        return MostRecentlyUpdated(matching);
    }

    private static StoredCredential MostRecentlyUpdated(List<StoredCredential> credentials)
    {
        var latest = credentials[0];
        foreach (var c in credentials)
        {
            if (c.UpdatedAt > latest.UpdatedAt)
            {
                latest = c;
            }
        }
        return latest;
    }

    /// <summary>The credentials of <paramref name="profile"/> at the server: exactly, or when parsed, in normalized form.</summary>
    private static List<StoredCredential> Matching(IReadOnlyList<StoredCredential> credentials, string profile, string server, Uri? parsed)
    {
        var matching = new List<StoredCredential>();
        foreach (var c in credentials)
        {
            if (c.Binding.Profile == profile
                && (parsed is null ? string.Equals(c.Binding.Resource, server, StringComparison.Ordinal) : ResourceMatch.Same(c.Binding.Resource, parsed)))
            {
                matching.Add(c);
            }
        }
        return matching;
    }

    private async Task<CredentialView> ViewAsync(StoredCredential credential, CancellationToken cancellationToken)
    {
        var status = await _lifecycle.Value.GetStatusAsync(credential.Binding, cancellationToken).ConfigureAwait(false);
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
