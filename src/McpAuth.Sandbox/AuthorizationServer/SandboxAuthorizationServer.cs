using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// An in-process OAuth 2.1 authorization server on 127.0.0.1: RFC 8414 metadata, RFC 7591 registration, an
/// authorization endpoint that approves at once (PKCE S256, RFC 9207 <c>iss</c>, RFC 8707 <c>resource</c>), a token
/// endpoint with refresh token rotation and replay detection, RFC 7009 revocation and RFC 7662 introspection.
/// Everything is kept in memory and lost on dispose. It is a test double, not a judge: oidc-provider and the
/// conformance suite are.
/// </summary>
public sealed class SandboxAuthorizationServer : IAsyncDisposable
{
    private readonly List<string> _resources = [];
    private LoopbackHost? _host;
    private string _issuer = "";

    private SandboxAuthorizationServer(SandboxAuthorizationServerOptions options)
    {
        Options = options;
        Tokens = new TokenTable(options);
        ClientTable = new ClientRegistry(options.SecretObserver);
    }

    /// <summary>The issuer URL, e.g. <c>http://127.0.0.1:40123</c>; <see cref="IssuerIdentifier"/> is its exact string.</summary>
    public Uri Issuer => new(_issuer);

    /// <summary>The issuer identifier exactly as in the metadata and in <c>iss</c> (no trailing slash).</summary>
    public string IssuerIdentifier => _issuer;

    /// <summary>RFC 8414 §3.1: the metadata URL (well-known segment inserted before the issuer's path).</summary>
    public Uri MetadataUrl => new(_host!.BaseUrl, "/.well-known/oauth-authorization-server" + Options.IssuerPath);

    public Uri TokenEndpoint => Endpoint("/token");

    public Uri RegistrationEndpoint => Endpoint("/register");

    public Uri AuthorizationEndpoint => Endpoint("/authorize");

    public Uri RevocationEndpoint => Endpoint("/revoke");

    public Uri IntrospectionEndpoint => Endpoint("/introspect");

    /// <summary>Request counters, per endpoint and grant type.</summary>
    public SandboxStats Stats { get; } = new();

    /// <summary>Validates bearer tokens against this server's own token table, in process (no HTTP request).</summary>
    public ITokenValidator TokenValidator => new SandboxTokenTableValidator(this);

    /// <summary>The clients registered so far (dynamically or with <see cref="AddClient"/>).</summary>
    public IReadOnlyCollection<SandboxClient> Clients => ClientTable.All;

    /// <summary>How many access and refresh tokens are active now.</summary>
    public int ActiveTokenCount => Tokens.CountActive();

    internal SandboxAuthorizationServerOptions Options { get; }

    internal ClientRegistry ClientTable { get; }

    internal TokenTable Tokens { get; }

    /// <summary>The <c>jti</c> of every client assertion accepted (RFC 7523 §3: a replayed one is refused).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, bool> SeenAssertionIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts a server on 127.0.0.1 with an OS-chosen port.</summary>
    public static async Task<SandboxAuthorizationServer> StartAsync(SandboxAuthorizationServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxAuthorizationServerOptions();
        if (options.IssuerPath.Length > 0 && (!options.IssuerPath.StartsWith('/') || options.IssuerPath.EndsWith('/')))
        {
            throw new ArgumentException("IssuerPath must start with '/' and not end with it.", nameof(options));
        }
        var server = new SandboxAuthorizationServer(options);
        server._host = await LoopbackHost.StartAsync(server.HandleAsync, options.TlsCertificate, cancellationToken).ConfigureAwait(false);
        server._issuer = server._host.BaseUrl.GetLeftPart(UriPartial.Authority) + options.IssuerPath;
        return server;
    }

    /// <summary>Adds a pre-registered client (ids and secrets of your choice), as if registered out of band.</summary>
    /// <exception cref="InvalidOperationException">The client id is taken.</exception>
    public void AddClient(SandboxClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        ClientTable.Add(client);
    }

    /// <summary>Forgets a client, so its next request fails with <c>invalid_client</c> (to test re-registration).</summary>
    public bool RemoveClient(string clientId) => ClientTable.Remove(clientId);

    /// <summary>
    /// Revokes every grant of a client (its tokens stop working, its refresh tokens are refused), as a user removing
    /// the app in the provider's settings would. Returns how many grants it revoked.
    /// </summary>
    public int RevokeClientGrants(string clientId) => Tokens.RevokeClient(clientId);

    /// <summary>
    /// Restricts RFC 8707 <c>resource</c> values to the ones added (<c>invalid_target</c> otherwise). With none
    /// added, any absolute URI without a fragment is accepted.
    /// </summary>
    public void AddResource(string resource)
    {
        lock (_resources)
        {
            _resources.Add(resource);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>RFC 6749 §3.3: every scope must be known; <c>offline_access</c> always is.</summary>
    internal OAuthError? ValidateScope(string? scope) =>
        ScopeSet.Parse(scope).Values.All(s => s == "offline_access" || Options.Scopes.Contains(s))
            ? null
            : OAuthError.InvalidScope("unknown scope");

    /// <summary>RFC 8707 §2: one absolute URI without fragment, known when resources were added.</summary>
    internal OAuthError? ValidateResources(IReadOnlyList<string> resources)
    {
        if (resources.Count == 0)
        {
            return Options.RequireResource ? OAuthError.InvalidTarget("resource is required") : null;
        }
        if (resources.Count > 1)
        {
            return OAuthError.InvalidTarget("this server accepts one resource per request");
        }
        if (!AbsoluteUri.IsValidWithoutFragment(resources[0]))
        {
            return OAuthError.InvalidTarget("resource must be an absolute URI without fragment");
        }
        lock (_resources)
        {
            return _resources.Count == 0 || _resources.Contains(resources[0]) ? null : OAuthError.InvalidTarget("unknown resource");
        }
    }

    private Uri Endpoint(string path) => new(_issuer + path);

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        if (path == "/.well-known/oauth-authorization-server" + Options.IssuerPath && HttpMethods.IsGet(method))
        {
            Stats.Increment(SandboxCounters.Metadata);
            return AuthorizationServerMetadata.WriteAsync(context, this);
        }
        var local = path.StartsWith(Options.IssuerPath, StringComparison.Ordinal) ? path[Options.IssuerPath.Length..] : null;
        var quirks = Options.Quirks;
        (string Counter, Func<HttpContext, SandboxAuthorizationServer, Task> Handler)? route = (local, method) switch
        {
            ("/register", "POST") when quirks.NoRegistrationEndpoint => null,
            ("/revoke", "POST") when quirks.NoRevocationEndpoint => null,
            ("/authorize", "GET") => (SandboxCounters.Authorize, AuthorizeEndpointHandler.HandleAsync),
            ("/token", "POST") => (SandboxCounters.Token, TokenEndpointHandler.HandleAsync),
            ("/register", "POST") => (SandboxCounters.Registration, RegistrationEndpointHandler.HandleAsync),
            ("/revoke", "POST") => (SandboxCounters.Revocation, RevocationEndpoints.RevokeAsync),
            ("/introspect", "POST") => (SandboxCounters.Introspection, RevocationEndpoints.IntrospectAsync),
            _ => null,
        };
        if (route is { } found)
        {
            Stats.Increment(found.Counter);
            return found.Handler(context, this);
        }
        return local == "/__stats" && HttpMethods.IsGet(method) && Options.ExposeStatsEndpoint
            ? StatsEndpoint.WriteAsync(context, Stats)
            : NotRouted(context, Stats);
    }

    internal static Task NotRouted(HttpContext context, SandboxStats stats)
    {
        stats.Increment(SandboxCounters.Unrouted);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
