using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using McpAuth.Diagnostics;
using McpAuth.Engine.Lifecycle;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpAuth.Engine;

/// <summary>
/// The OAuth engine for MCP clients: discovery, client identity, authorization, token storage and refresh for any
/// number of MCP servers. One instance per process; state lives in the instance and the <see cref="TokenVault"/>.
/// </summary>
public sealed partial class McpAuthClient
{
    private readonly McpAuthOptions _options;
    private readonly TokenVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Discovery _discovery;
    private readonly ClientIdentityResolver _identities;
    private readonly TokenEndpoint _tokens;
    private readonly PendingFlows _pending;
    private readonly AuthorizationCodeFlow _codeFlow;
    private readonly DeviceCodeFlow _deviceFlow;
    private readonly GrantExtensions _grants;
    private readonly CredentialLifecycle _lifecycle;
    private readonly TokenRevocation _revocation;
    private readonly EnterpriseAuthorization _enterprise;
    private readonly Delegation _delegation;
    private readonly ConcurrentDictionary<string, ResourceSession> _sessions = new(StringComparer.Ordinal);

    /// <param name="options">Options; validated here.</param>
    /// <param name="vault">Where tokens and registrations live.</param>
    /// <param name="oauthHttp">The client for authorization server requests; it must not follow redirects.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Safe-to-share logs; none when null.</param>
    /// <param name="meterFactory">
    /// Creates the "McpAuth" meter (see <see cref="McpAuthTelemetryNames"/>), the engine's own; when null, the engine
    /// uses the meter and activity source every such engine of the process shares.
    /// </param>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/>.</exception>
    public McpAuthClient(
        McpAuthOptions options, TokenVault vault, HttpClient oauthHttp, TimeProvider? time = null, ILogger<McpAuthClient>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var http = new OAuthHttpClient(oauthHttp ?? throw new ArgumentNullException(nameof(oauthHttp)), options.Http);
        _grants = new GrantExtensions(options);
        _discovery = new Discovery(http, options);
        _identities = new ClientIdentityResolver(http, vault, options, _time);
        Telemetry = new McpAuthTelemetry(meterFactory);
        _tokens = new TokenEndpoint(http, _time, _grants.ClientAssertions, Telemetry);
        _enterprise = new EnterpriseAuthorization(options, vault, _tokens, _time, _logger);
        _delegation = new Delegation(options, _tokens, _time, Telemetry, _logger);
        _pending = new PendingFlows(options.MaxPendingFlows, options.PendingFlowLifetime, _time);
        _codeFlow = new AuthorizationCodeFlow(_pending, _tokens, _time);
        _deviceFlow = new DeviceCodeFlow(_tokens, _time);
        _revocation = new TokenRevocation(http);
        _lifecycle = new CredentialLifecycle(vault, _time, new RefreshOptions { Skew = options.RefreshSkew }, _logger);
        Events = _lifecycle.Events;
        Refresher = new CoordinatedTokenRefresher(_lifecycle.Refresh, _tokens, _time);
    }

    /// <summary>The engine's traces and metrics (one source and meter per instance).</summary>
    internal McpAuthTelemetry Telemetry { get; }

    /// <summary>The refresh seam (default: the <see cref="RefreshCoordinator"/>).</summary>
    internal ITokenRefresher Refresher { get; set; }

    /// <summary>Credential lifecycle events (refreshing, refreshed, refresh failed, needs reauthorization).</summary>
    public CredentialEvents Events { get; }

    /// <summary>The options in use.</summary>
    public McpAuthOptions Options => _options;

    /// <summary>
    /// Refreshed credentials the store has not taken yet (it was down, read-only or full): their new refresh tokens
    /// exist only in this process, which keeps saving them in the background (see <see cref="RefreshCoordinator.UnsavedCount"/>).
    /// </summary>
    public int UnsavedCredentials => _lifecycle.Refresh.UnsavedCount;

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for every refreshed credential not saved yet to be saved; call it before a
    /// short-lived process exits. True when none is left unsaved.
    /// </summary>
    public Task<bool> WaitForUnsavedCredentialsAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _lifecycle.Refresh.WaitForUnsavedAsync(timeout, cancellationToken);

    /// <summary>
    /// Starts an authorization code flow for <paramref name="server"/>: discovery, client identity, PKCE, state.
    /// Open the returned URL, then call <see cref="CompleteAuthorizationAsync"/> with the callback URL.
    /// </summary>
    /// <exception cref="McpAuthException">Discovery, identity and configuration errors.</exception>
    public async Task<AuthorizationStart> BeginAuthorizationAsync(Uri server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var session = Session(server);
        var discovery = await DiscoverAsync(session, server, null, behind: null, cancellationToken).ConfigureAwait(false);
        var scope = SelectScope(discovery, session.ChallengeScope);
        var (url, flow) = await BeginCodeFlowAsync(discovery, scope, behind: null, cancellationToken).ConfigureAwait(false);
        return new AuthorizationStart(url, flow.RedirectUri, flow.State);
    }

    /// <summary>Completes a flow from the URL the authorization server redirected to, and stores the tokens.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StateMismatch"/>, <see cref="McpAuthErrorCode.FlowExpired"/>,
    /// <see cref="McpAuthErrorCode.AuthorizationResponseIssuerMismatch"/>, <see cref="McpAuthErrorCode.AuthorizationDenied"/>,
    /// token endpoint errors.
    /// </exception>
    public Task<AccessToken> CompleteAuthorizationAsync(Uri callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        return CompleteCodeFlowAsync(callbackUrl, behind: null, cancellationToken);
    }

    /// <summary>Redeems the code; the token request overlaps the flow's store writes still under way (<c>behind</c>).</summary>
    private async Task<AccessToken> CompleteCodeFlowAsync(Uri callbackUrl, PendingWrites? behind, CancellationToken cancellationToken)
    {
        var (flow, code) = _codeFlow.Accept(callbackUrl);
        try
        {
            var response = await PendingWrites.StartAfterSending(_codeFlow.RedeemAsync(flow, code, cancellationToken), behind).ConfigureAwait(false);
            var session = Session(flow.Discovery.Server);
            session.Scope = flow.Scope;
            return await StoreAsync(session, flow.Discovery, flow.Client, response, flow.DPoP, flow.Scope, "authorization_code", behind,
                cancellationToken).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidClient)
        {
            if (behind is not null)
            {
                await behind.SettleAsync(_logger).ConfigureAwait(false); // a registration still being written must not outlive its forgetting
            }
            await _identities.ForgetAsync(flow.Client, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Authorizes with the configured grant; for the code grant, through <paramref name="interaction"/>.</summary>
    /// <exception cref="McpAuthException">Any step's typed error; <see cref="McpAuthErrorCode.InteractionRequired"/> without an interaction.</exception>
    public async Task<AccessToken> AuthorizeAsync(Uri server, IAuthorizationInteraction? interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var session = Session(server);
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await AuthorizeCoreAsync(session, server, null, null, interaction, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>A valid access token for <paramref name="server"/>, refreshed when it is about to expire.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.LoginRequired"/> when there is none; refresh errors.</exception>
    public async Task<AccessToken> GetAccessTokenAsync(Uri server, CancellationToken cancellationToken) =>
        await TryGetAccessTokenAsync(server, cancellationToken).ConfigureAwait(false)
        ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired, EndpointPolicy.Redact(server).ToString());

    /// <summary>The stored token for <paramref name="server"/>, refreshed when expiring; null when there is none.</summary>
    internal async Task<AccessToken?> TryGetAccessTokenAsync(Uri server, CancellationToken cancellationToken)
    {
        var session = Session(server);
        if (session.PrefetchBegan && session.Prefetching is { IsCompleted: false } prefetching)
        {
            // Wait on the read ahead itself, not on the gate it holds: its end runs this request on at once, with no
            // hop to another thread (store reads are short, and it never throws). A read ahead that has not begun
            // yet (its thread not woken) is not waited for: this request reads the store, and it then does nothing.
            await prefetching.ConfigureAwait(false);
        }
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (session.Credential is null && !await LoadStoredAsync(session, server, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
            var credential = session.Credential!;
            if (!Refresher.IsFresh(credential))
            {
                var client = await ClientOfAsync(session, credential, cancellationToken).ConfigureAwait(false);
                try
                {
                    session.Credential = credential = await RefreshTracedAsync(credential, client, session.DPoP, null,
                        BindingCheck(session, server, credential), cancellationToken).ConfigureAwait(false);
                }
                catch (McpAuthException e) when (e.Code is McpAuthErrorCode.LoginRequired or McpAuthErrorCode.InvalidClient)
                {
                    // The grant is gone: no token, so the next 401 authorizes again.
                    EngineLog.AuthorizationFailed(_logger, credential.Binding.Resource, e.Code);
                    if (e.Code == McpAuthErrorCode.InvalidClient)
                    {
                        await _identities.ForgetAsync(client, cancellationToken).ConfigureAwait(false);
                    }
                    session.Credential = null;
                    return null;
                }
            }
            return ToAccessToken(credential, session.DPoP);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private ResourceSession Session(Uri server) => _sessions.GetOrAdd(ResourceUri.Canonicalize(server), _ => new ResourceSession());

    private static AccessToken ToAccessToken(StoredCredential credential, IDPoPProofSigner? dpop) =>
        new(credential.Tokens.AccessToken, credential.Tokens.TokenType, credential.Tokens.ExpiresAt, credential.Tokens.Scope)
        {
            DPoP = string.Equals(credential.Tokens.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase) ? dpop : null,
        };
}
