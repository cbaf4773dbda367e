using McpAuth.Diagnostics;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace McpAuth.Engine;

/// <summary>
/// One MCP server as this process sees it: its credential (loaded from the store or just obtained), the client it was
/// issued to, what discovery found, the scopes asked for, and the resource server's DPoP nonce. Every step that reads or
/// changes that state runs under the session's gate, so concurrent requests to one server refresh or authorize once.
/// <see cref="McpAuthHandler"/> talks to a session; <see cref="McpAuthClient"/> hands them out, one per canonical server URL.
/// </summary>
internal sealed class ServerSession
{
    private readonly EngineServices _services;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StoredCredential? _credential;
    private ClientIdentity? _client;
    private IDPoPProofSigner? _dpop;
    private DiscoveryResult? _discovery;
    private DiscoveryRecord? _record;
    private string? _scope;
    private string? _challengeScope;
    private int _stepUps;
    private string? _resourceNonce;
    private Task? _prefetching;
    private volatile bool _prefetchBegan;

    public ServerSession(EngineServices services, Uri server)
    {
        _services = services;
        Server = server;
        Canonical = ResourceUri.Canonicalize(server);
    }

    /// <summary>The server URL as first given.</summary>
    public Uri Server { get; }

    /// <summary>Its canonical form (RFC 8707), the session's key.</summary>
    public string Canonical { get; }

    /// <summary>The stored token, refreshed when expiring; null when there is none (or its grant is gone).</summary>
    /// <exception cref="McpAuthException">Refresh outages and store errors.</exception>
    public async Task<AccessToken?> TryGetAccessTokenAsync(CancellationToken ct)
    {
        if (_prefetchBegan && _prefetching is { IsCompleted: false } prefetching)
        {
            // Wait on the read ahead itself, not on the gate it holds: its end runs this request on at once, with no
            // hop to another thread. A read ahead that has not begun yet is not waited for: this request reads the store.
            await prefetching.ConfigureAwait(false);
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_credential is null && !await LoadStoredAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            if (!_services.Refresher.IsFresh(_credential!))
            {
                try
                {
                    await RefreshAsync(rejected: null, ct).ConfigureAwait(false);
                }
                catch (McpAuthException e) when (e.Code is McpAuthErrorCode.LoginRequired or McpAuthErrorCode.InvalidClient)
                {
                    // The grant is gone: no token, so the next 401 authorizes again.
                    EngineLog.AuthorizationFailed(_services.Logger, Canonical, e.Code);
                    _credential = null;
                    return null;
                }
            }
            return Current();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts a code flow to complete by its callback (see <see cref="McpAuthClient.BeginAuthorizationAsync"/>).</summary>
    public Task<AuthorizationStart> BeginAuthorizationAsync(CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            var discovery = await DiscoverAsync(null, ct).ConfigureAwait(false);
            var scope = _services.Authorizer.SelectScope(discovery, _challengeScope);
            var (url, flow) = await _services.Authorizer.BeginCodeFlowAsync(discovery, scope, ct).ConfigureAwait(false);
            return new AuthorizationStart(url, flow.RedirectUri, flow.State);
        }, ct);

    /// <summary>Authorizes with the configured grant (see <see cref="McpAuthClient.AuthorizeAsync"/>).</summary>
    public Task<AccessToken> AuthorizeAsync(IAuthorizationInteraction? interaction, CancellationToken ct) =>
        UnderGateAsync(() => AuthorizeCoreAsync(null, null, interaction, ct), ct);

    /// <summary>
    /// Answers a 401: when another request already replaced the rejected token, returns the new one; else refreshes
    /// when possible; else discovers again (the resource may have moved to another authorization server) and authorizes.
    /// </summary>
    public Task<AccessToken> ReauthorizeAsync(
        AuthenticationChallenge? challenge, AccessToken? rejected, IAuthorizationInteraction? interaction, CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            if (_credential is { } current && current.Tokens.AccessToken != rejected?.Value)
            {
                return Current();
            }
            if (rejected is not null && _credential is { Tokens.RefreshToken: not null })
            {
                try
                {
                    await RefreshAsync(rejected.Value, ct).ConfigureAwait(false);
                    if (_credential!.Tokens.AccessToken != rejected.Value)
                    {
                        return Current();
                    }
                }
                catch (McpAuthException e) when (!e.IsTransient)
                {
                    // The refresh token is gone or refused: authorize again below (registering again if the server
                    // forgot the client: RefreshAsync has forgotten it).
                }
            }
            return await AuthorizeCoreAsync(challenge, null, interaction, ct).ConfigureAwait(false);
        }, ct);

    /// <summary>
    /// Answers a 403 <c>insufficient_scope</c>: authorizes again with the union of the scopes asked for before and the
    /// challenged ones (a refresh cannot widen scope), at most <see cref="AuthorizationOptions.MaxStepUpAttempts"/> times in a row.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StepUpLimitExceeded"/>; authorization errors.</exception>
    public Task<AccessToken> StepUpAsync(AuthenticationChallenge challenge, AccessToken? rejected, IAuthorizationInteraction? interaction, CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            if (_credential is { } current && current.Tokens.AccessToken != rejected?.Value
                && ScopeSelection.Contains(current.Tokens.Scope, challenge.Scope))
            {
                return Current();
            }
            if (++_stepUps > _services.Options.Authorization.MaxStepUpAttempts)
            {
                throw new McpAuthException(McpAuthErrorCode.StepUpLimitExceeded, Canonical) { StatusCode = 403 };
            }
            EngineLog.SteppingUp(_services.Logger, Canonical, _stepUps);
            return await AuthorizeCoreAsync(challenge, ScopeSelection.Union(_scope, challenge.Scope), interaction, ct).ConfigureAwait(false);
        }, ct);

    /// <summary>The device authorization grant (see <see cref="McpAuthClient.AuthorizeWithDeviceCodeAsync"/>).</summary>
    public Task<AccessToken> AuthorizeWithDeviceCodeAsync(Func<DeviceAuthorizationResponse, CancellationToken, Task> show, CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            try
            {
                var discovery = await DiscoverAsync(null, ct).ConfigureAwait(false);
                var scope = _services.Authorizer.SelectScope(discovery, _challengeScope);
                return Accept(await _services.Authorizer.DeviceGrantAsync(discovery, scope, show, ct).ConfigureAwait(false), scope);
            }
            catch (McpAuthException e)
            {
                EngineLog.AuthorizationFailed(_services.Logger, Canonical, e.Code);
                throw;
            }
        }, ct);

    /// <summary>Stores tokens obtained elsewhere (see <see cref="McpAuthClient.ImportAsync"/>).</summary>
    public Task<StoredCredential> ImportAsync(ImportedTokens tokens, CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            var discovery = await DiscoverAsync(null, ct).ConfigureAwait(false);
            var profile = tokens.Profile ?? _services.Options.Profile;
            var imported = await _services.Authorizer.ImportAsync(discovery, tokens, profile, ct).ConfigureAwait(false);
            if (profile == _services.Options.Profile)
            {
                Accept(imported, tokens.Scope);
            }
            return imported.Credential;
        }, ct);

    /// <summary>Logs out of this server's credential for this profile; null when none is stored.</summary>
    public Task<LogoutResult?> LogoutAsync(CredentialRelease release, LogoutOptions? options, CancellationToken ct) =>
        UnderGateAsync(async () =>
        {
            var credential = _credential ?? (await _services.Finder.FindAsync(Server, null, ct).ConfigureAwait(false))?.Credential;
            if (credential is null)
            {
                return null;
            }
            var result = await release.LogoutAsync(credential, options, ct).ConfigureAwait(false);
            Forget();
            return (LogoutResult?)result;
        }, ct);

    /// <summary>Takes a credential a flow completed outside the session (by <c>state</c>) as the session's own.</summary>
    public Task<AccessToken> AdoptAsync(Authorized authorized, CancellationToken ct) =>
        UnderGateAsync(() => Task.FromResult(Accept(authorized, authorized.Credential.Tokens.Scope)), ct);

    /// <summary>Forgets the in-memory credential (after a logout of it).</summary>
    public void Forget() => (_credential, _client, _dpop) = (null, null, null);

    /// <summary>Forgets the in-memory credential when it is <paramref name="binding"/>'s (after a logout of that one).</summary>
    public void Forget(CredentialBinding binding)
    {
        if (_credential?.Binding == binding)
        {
            Forget();
        }
    }

    /// <summary>
    /// The token to send with one MCP request: <paramref name="token"/> itself, or, when the server opted in to
    /// delegation (<see cref="McpAuthOptions.Delegation"/>), a delegated token exchanged for it (RFC 8693).
    /// </summary>
    public async Task<AccessToken?> ForRequestAsync(AccessToken? token, CancellationToken ct)
    {
        if (token is null || !_services.Delegation.Applies(Canonical) || _credential is not { } credential)
        {
            return token;
        }
        var client = _client ?? await _services.Identities.FromStoredAsync(credential, ct).ConfigureAwait(false);
        return await _services.Delegation.DelegateAsync(Canonical, token, credential, client, ct).ConfigureAwait(false);
    }

    /// <summary>A request with the current token succeeded: the step-up budget starts again.</summary>
    public void RequestSucceeded() => _stepUps = 0;

    /// <summary>Remembers the resource server's DPoP nonce (RFC 9449 §9).</summary>
    public void SetResourceNonce(string nonce) => _resourceNonce = nonce;

    /// <summary>A fresh DPoP proof for one MCP request with <paramref name="token"/> (RFC 9449 §7.1): <c>ath</c> and the latest nonce.</summary>
    public string? CreateResourceProof(AccessToken token, HttpMethod method, Uri target)
    {
        if (!token.IsDPoP)
        {
            return null;
        }
        var htu = new UriBuilder(target) { Query = string.Empty, Fragment = string.Empty }.Uri;
        return token.DPoP!.CreateProof(method.Method, htu, _services.Time.GetUtcNow(), _resourceNonce, token.Value);
    }

    /// <summary>
    /// Reads the stored credential into memory ahead of the first request, on the thread pool, so that reading and
    /// decrypting the store overlaps the caller's own start-up. No network; errors are left for the first request,
    /// which reads again and reports them.
    /// </summary>
    public void Prefetch() => _prefetching = Task.Run(async () =>
    {
        try
        {
            // A request that came first reads the store itself (see TryGetAccessTokenAsync): nothing to do then.
            if (!await _gate.WaitAsync(0).ConfigureAwait(false))
            {
                return;
            }
            _prefetchBegan = true;
            try
            {
                if (_credential is null)
                {
                    await LoadStoredAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EngineLog.PrefetchFailed(_services.Logger, e.GetType().Name, (e as McpAuthException)?.Code);
        }
    });

    private async Task<AccessToken> AuthorizeCoreAsync(
        AuthenticationChallenge? challenge, string? scopeOverride, IAuthorizationInteraction? interaction, CancellationToken ct)
    {
        var options = _services.Options;
        using var step = _services.Telemetry.Start(McpAuthTelemetryNames.AuthorizationSpan, Canonical);
        step.Grant = options.Grant.Kind.ToString();
        try
        {
            var discovery = options.Grant.Kind == McpAuthGrant.EnterpriseManaged
                ? await EnterpriseAuthorization.LegAsync(EnterpriseLeg.Discovery, () => DiscoverAsync(challenge, ct)).ConfigureAwait(false)
                : await DiscoverAsync(challenge, ct).ConfigureAwait(false);
            var scope = scopeOverride ?? _services.Authorizer.SelectScope(discovery, challenge?.Scope ?? _challengeScope);
            var token = Accept(await _services.Authorizer.AuthorizeAsync(discovery, scope, interaction, ct).ConfigureAwait(false), scope);
            step.Succeeded();
            return token;
        }
        catch (McpAuthException e)
        {
            step.Failed(e.Code);
            EngineLog.AuthorizationFailed(_services.Logger, Canonical, e.Code);
            throw;
        }
    }

    private async Task<DiscoveryResult> DiscoverAsync(AuthenticationChallenge? challenge, CancellationToken ct)
    {
        _discovery = await _services.Authorizer.DiscoverAsync(Server, challenge, ct).ConfigureAwait(false);
        if (challenge?.Scope is { } scope)
        {
            _challengeScope = scope;
        }
        return _discovery;
    }

    private AccessToken Accept(Authorized authorized, string? scope)
    {
        (_credential, _client, _dpop, _discovery, _scope) = (authorized.Credential, authorized.Client, authorized.DPoP, authorized.Discovery, scope);
        return Current();
    }

    /// <summary>
    /// Refreshes the session's credential through the refresher (single flight across threads and processes). A client
    /// the server no longer knows (<c>invalid_client</c>) is forgotten, so the next authorization registers again.
    /// </summary>
    private async Task RefreshAsync(string? rejected, CancellationToken ct)
    {
        var credential = _credential!;
        var client = _client ??= await _services.Identities.FromStoredAsync(credential, ct).ConfigureAwait(false);
        try
        {
            _credential = await _services.Telemetry.RunAsync(McpAuthTelemetryNames.RefreshSpan, credential.Binding.Resource,
                () => _services.Refresher.RefreshAsync(credential, client, _dpop, rejected, EnsureStillBoundAsync, ct)).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidClient)
        {
            await _services.Identities.ForgetAsync(client, ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Before a refresh, checks that the server is still served by the issuer and resource the credential is bound to:
    /// a refresh token is only ever used for the binding it was issued in. What this process discovered, or a stored
    /// discovery record younger than <see cref="Refresh.RefreshOptions.DiscoveryMaxAge"/>, answers without a request; an older
    /// record is checked by discovering again. Runs under the refresh lock, only in the caller about to refresh.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.LoginRequired"/> when the binding changed.</exception>
    private async Task EnsureStillBoundAsync(CancellationToken ct)
    {
        var binding = _credential!.Binding;
        var (issuer, resource) = _discovery is { } found ? (found.Issuer, found.Resource)
            : _record is { } record && _services.Time.GetUtcNow() - record.DiscoveredAt < _services.Options.Refresh.DiscoveryMaxAge
                ? (record.Issuer, record.BindingResource ?? record.Resource)
                : await DiscoverBindingAsync(ct).ConfigureAwait(false);
        if (issuer != binding.Issuer || resource != binding.Resource)
        {
            throw new McpAuthException(McpAuthErrorCode.LoginRequired, "the server is now served by another authorization server or resource");
        }
    }

    private async Task<(string Issuer, string Resource)> DiscoverBindingAsync(CancellationToken ct)
    {
        var discovery = await DiscoverAsync(null, ct).ConfigureAwait(false);
        return (discovery.Issuer, discovery.Resource);
    }

    /// <summary>
    /// Loads the credential an earlier process stored, with no network request (see <see cref="CredentialFinder"/>).
    /// Its client registration is read only when a refresh needs it.
    /// </summary>
    private async Task<bool> LoadStoredAsync(CancellationToken ct)
    {
        if (await _services.Finder.FindAsync(Server, null, ct).ConfigureAwait(false) is not { } found
            || found.Credential.State == CredentialState.NeedsReauthorization)
        {
            return false;
        }
        var credential = found.Credential;
        if (_services.Options.Client.PreRegistered is { } configured && (configured.Issuer is null || configured.Issuer == credential.Binding.Issuer)
            && configured.ClientId != credential.Binding.ClientId)
        {
            // The configured client changed since the login: that login is not this client's.
            return false;
        }
        _services.Refresher.Remember(credential);
        (_credential, _client, _record, _scope) = (credential, null, found.Discovery, credential.Tokens.Scope);
        _dpop = credential.DPoPPrivateJwk is { } jwk ? _services.Grants.DPoPKeyFromJwk(jwk) : null;
        return true;
    }

    private AccessToken Current()
    {
        var tokens = _credential!.Tokens;
        return new AccessToken(tokens.AccessToken, tokens.TokenType, tokens.ExpiresAt, tokens.Scope)
        {
            DPoP = string.Equals(tokens.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase) ? _dpop : null,
        };
    }

    private async Task<T> UnderGateAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
