using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using McpAuth.Diagnostics;
using McpAuth.Engine.Events;
using McpAuth.Engine.Lifecycle;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpAuth.Engine;

/// <summary>
/// The OAuth engine for MCP clients: discovery, client identity, authorization, token storage and refresh for any
/// number of MCP servers. A small facade: each server's state and steps live in its <see cref="ServerSession"/>, the
/// grants in the <see cref="Authorizer"/>, saving and refreshing in the <see cref="CredentialLifecycle"/>.
/// One instance per process (per profile); no static state.
/// </summary>
public sealed class McpAuthClient
{
    private readonly EngineServices _services;
    private readonly CredentialRelease _release;
    private readonly ConcurrentDictionary<string, ServerSession> _sessions = new(StringComparer.Ordinal);

    /// <param name="options">Options; validated here.</param>
    /// <param name="vault">Where tokens and registrations live.</param>
    /// <param name="oauthHttp">The client for authorization server requests; it must not follow redirects.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Safe-to-share logs; none when null.</param>
    /// <param name="meterFactory">
    /// Creates the "McpAuth" meter (see <see cref="McpAuthTelemetryNames"/>), the engine's own; when null, the engine
    /// uses the meter and activity source every such engine of the process shares.
    /// </param>
    /// <param name="pendingFlows">
    /// The registry of flows waiting for their callback, shared with the host's callback surfaces and its other engines;
    /// when null, the engine's own with the limits of <paramref name="options"/>.
    /// </param>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/>.</exception>
    public McpAuthClient(
        McpAuthOptions options, TokenVault vault, HttpClient oauthHttp, TimeProvider? time = null, ILogger<McpAuthClient>? logger = null,
        IMeterFactory? meterFactory = null, PendingFlowRegistry? pendingFlows = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(oauthHttp);
        options.Validate();
        _services = new EngineServices(options, vault, oauthHttp, time ?? TimeProvider.System, logger ?? (ILogger)NullLogger.Instance, meterFactory,
            pendingFlows);
        _release = new CredentialRelease(_services);
    }

    /// <summary>The engine's traces and metrics.</summary>
    internal McpAuthTelemetry Telemetry => _services.Telemetry;

    /// <summary>The refresh seam (default: the lifecycle's <see cref="Refresh.RefreshCoordinator"/>).</summary>
    internal ITokenRefresher Refresher
    {
        get => _services.Refresher;
        set => _services.Refresher = value;
    }

    /// <summary>Credential lifecycle events (authorized, refreshing, refreshed, refresh failed, needs reauthorization, released).</summary>
    public CredentialEvents Events => _services.Lifecycle.Events;

    /// <summary>The options in use.</summary>
    public McpAuthOptions Options => _services.Options;

    /// <summary>
    /// Refreshed credentials the store has not taken yet (it was down, read-only or full): their new refresh tokens
    /// exist only in this process, which keeps saving them in the background (see <see cref="Refresh.RefreshCoordinator.UnsavedCount"/>).
    /// </summary>
    public int UnsavedCredentials => _services.Lifecycle.Refresh.UnsavedCount;

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for every refreshed credential not saved yet to be saved; call it before a
    /// short-lived process exits. True when none is left unsaved.
    /// </summary>
    public Task<bool> WaitForUnsavedCredentialsAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _services.Lifecycle.Refresh.WaitForUnsavedAsync(timeout, cancellationToken);

    /// <summary>
    /// Starts an authorization code flow for <paramref name="server"/>: discovery, client identity, PKCE, state.
    /// Open the returned URL, then call <see cref="CompleteAuthorizationAsync"/> with the callback URL.
    /// </summary>
    /// <exception cref="McpAuthException">
    /// Discovery, identity and configuration errors; <see cref="McpAuthErrorCode.DPoPNotSupported"/> when the resource
    /// requires DPoP-bound tokens that cannot be had (<see cref="GrantOptions.DPoP"/>).
    /// </exception>
    public Task<AuthorizationStart> BeginAuthorizationAsync(Uri server, CancellationToken cancellationToken) =>
        SessionFor(server).BeginAuthorizationAsync(cancellationToken);

    /// <summary>Completes a flow from the URL the authorization server redirected to, and stores the tokens.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/>, <see cref="McpAuthErrorCode.FlowExpired"/>,
    /// <see cref="McpAuthErrorCode.AuthorizationResponseIssuerMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationDenied"/>,
    /// token endpoint errors.
    /// </exception>
    public async Task<AccessToken> CompleteAuthorizationAsync(Uri callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var authorized = await _services.Authorizer.CompleteCodeFlowAsync(callbackUrl, cancellationToken).ConfigureAwait(false);
        return await SessionFor(authorized.Discovery.Server).AdoptAsync(authorized, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Authorizes with the configured grant; for the code grant, through <paramref name="interaction"/>.</summary>
    /// <exception cref="McpAuthException">
    /// Any step's typed error; <see cref="McpAuthErrorCode.InteractionRequired"/> without an interaction;
    /// <see cref="McpAuthErrorCode.DPoPNotSupported"/>, before any registration or interaction, when the resource
    /// requires DPoP-bound tokens that cannot be had (<see cref="GrantOptions.DPoP"/>).
    /// </exception>
    public Task<AccessToken> AuthorizeAsync(Uri server, IAuthorizationInteraction? interaction, CancellationToken cancellationToken) =>
        SessionFor(server).AuthorizeAsync(interaction, cancellationToken);

    /// <summary>A valid access token for <paramref name="server"/>, refreshed when it is about to expire.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.LoginRequired"/> when there is none; refresh errors.</exception>
    public async Task<AccessToken> GetAccessTokenAsync(Uri server, CancellationToken cancellationToken) =>
        await SessionFor(server).TryGetAccessTokenAsync(cancellationToken).ConfigureAwait(false)
        ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, EndpointPolicy.Redact(server).ToString());

    /// <summary>
    /// Authorizes with the device authorization grant (RFC 8628): discovery and client identity as for the code flow,
    /// a device code for the MCP server's resource (RFC 8707) and the selected scopes, <paramref name="show"/> tells the
    /// user where to go and which code to enter, then the token endpoint is polled until the user decides. The
    /// credential is stored as for the code flow, DPoP-bound as <see cref="GrantOptions.DPoP"/> decides (RFC 9449).
    /// </summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.DeviceAuthorizationNotSupported"/> when the authorization server has no device
    /// endpoint; <see cref="McpAuthErrorCode.DeviceAuthorizationFailed"/> when the user denied or the codes expired;
    /// any other step's typed error.
    /// </exception>
    public Task<AccessToken> AuthorizeWithDeviceCodeAsync(
        Uri server, Func<DeviceAuthorizationResponse, CancellationToken, Task> show, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(show);
        return SessionFor(server).AuthorizeWithDeviceCodeAsync(show, cancellationToken);
    }

    /// <summary>
    /// Brings tokens obtained elsewhere under McpAuth's care: discovery finds the resource and issuer, the tokens are
    /// bound like a login's (profile, resource, issuer, client id) and saved the same way, and the client becomes the
    /// active one, so <see cref="GetAccessTokenAsync"/> and a new process use the tokens and refresh them.
    /// </summary>
    /// <returns>The stored credential.</returns>
    /// <exception cref="McpAuthException">
    /// Discovery errors (<see cref="McpAuthErrorCode.ResourceMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationServerMetadataNotFound"/>...),
    /// <see cref="McpAuthErrorCode.InsecureEndpoint"/> for a token endpoint override, store errors.
    /// </exception>
    public Task<StoredCredential> ImportAsync(Uri server, ImportedTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrEmpty(tokens.AccessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokens.ClientId);
        if (tokens.TokenEndpoint is { } overridden)
        {
            EndpointPolicy.Validate(overridden, Options.Http.DangerouslyAllowLinkLocalAddresses);
        }
        return SessionFor(server).ImportAsync(tokens, cancellationToken);
    }

    /// <summary>
    /// The stored credential of this profile for <paramref name="server"/>, found without the network the way every
    /// step finds it (its discovery record, the active-client index, else the stored resource); null when none.
    /// </summary>
    /// <exception cref="McpAuthException">Store errors; <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> naming the entry.</exception>
    public async Task<StoredCredential?> FindCredentialAsync(Uri server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        return (await _services.Finder.FindAsync(server, null, cancellationToken).ConfigureAwait(false))?.Credential;
    }

    /// <summary>Every stored credential of every profile, and the entries that could not be read (reported, never deleted).</summary>
    /// <exception cref="McpAuthException">Store errors.</exception>
    public async Task<CredentialListing> ListCredentialsAsync(CancellationToken cancellationToken) =>
        await _services.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The lifecycle state of a stored credential now: valid, expiring, refreshing (in this process) or needing a login.</summary>
    public CredentialState StateOf(StoredCredential credential) => _services.Lifecycle.StateOf(credential);

    /// <summary>
    /// Logs out of <paramref name="server"/> for this profile: revokes the refresh token, then the access token
    /// (RFC 7009), then ALWAYS clears the credential and releases its lifecycle, even when revocation failed.
    /// Reads the store only to find the credential (no discovery).
    /// </summary>
    /// <returns>What happened; null when no credential is stored for the server.</returns>
    /// <exception cref="McpAuthException">Store errors only; revocation failures are in the result.</exception>
    public Task<LogoutResult?> LogoutAsync(Uri server, LogoutOptions? options, CancellationToken cancellationToken) =>
        SessionFor(server).LogoutAsync(_release, options, cancellationToken);

    /// <summary>Logs out of every stored credential of this profile (or of every profile), one result each.</summary>
    /// <exception cref="McpAuthException">Store errors only.</exception>
    public async Task<IReadOnlyList<LogoutResult>> LogoutAllAsync(LogoutOptions? options, CancellationToken cancellationToken)
    {
        var (credentials, _) = await _services.Vault.ListCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<LogoutResult>();
        foreach (var credential in credentials.Where(c => options?.AllProfiles == true || c.Binding.Profile == Options.Profile))
        {
            results.Add(await _release.LogoutAsync(credential, options, cancellationToken).ConfigureAwait(false));
        }
        foreach (var session in _sessions.Values)
        {
            session.Forget();
        }
        return results;
    }

    /// <summary>Logs out of one stored credential (as <see cref="ListCredentialsAsync"/> or <see cref="FindCredentialAsync"/> gave it).</summary>
    /// <exception cref="McpAuthException">Store errors only.</exception>
    public async Task<LogoutResult> LogoutAsync(StoredCredential credential, LogoutOptions? options, CancellationToken cancellationToken)
    {
        var result = await _release.LogoutAsync(credential, options, cancellationToken).ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            session.Forget(credential.Binding);
        }
        return result;
    }

    /// <summary>The session of <paramref name="server"/> (one per canonical URL), made on first use.</summary>
    internal ServerSession SessionFor(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return _sessions.GetOrAdd(ResourceUri.Canonicalize(server), static (_, state) => new ServerSession(state.Services, state.Server),
            (Services: _services, Server: server));
    }
}
