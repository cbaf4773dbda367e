namespace McpAuth.Sandbox;

/// <summary>Options of <see cref="Sandbox.StartAsync"/>: one authorization server and one MCP server that trusts it.</summary>
public sealed record SandboxOptions
{
    public SandboxAuthorizationServerOptions AuthorizationServer { get; init; } = new();

    /// <summary>The MCP server; its <see cref="SandboxMcpServerOptions.AuthorizationServers"/> is set to the sandbox issuer.</summary>
    public SandboxMcpServerOptions McpServer { get; init; } = new();
}

/// <summary>Options of <see cref="SandboxAuthorizationServer"/>.</summary>
public sealed record SandboxAuthorizationServerOptions
{
    /// <summary>Lifetime of access tokens (<c>expires_in</c>). Make it short to demonstrate refresh.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of refresh tokens; null: they expire only when used, revoked or their family is revoked.</summary>
    public TimeSpan? RefreshTokenLifetime { get; init; }

    /// <summary>Lifetime of authorization codes (RFC 6749 §4.1.2 recommends at most 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Artificial delay added to every token request, for benchmarks.</summary>
    public TimeSpan TokenLatency { get; init; } = TimeSpan.Zero;

    /// <summary>The resource owner the authorization endpoint approves for (it auto-approves, there is no UI).</summary>
    public string Subject { get; init; } = "sandbox-user";

    /// <summary>The scopes the server knows, besides <c>offline_access</c> (always supported).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["mcp:read", "mcp:admin"];

    /// <summary>The scope granted when an authorization or client credentials request names none (RFC 6749 §3.3).</summary>
    public string DefaultScope { get; init; } = "mcp:read";

    /// <summary>Like oidc-provider: issue refresh tokens only when <c>offline_access</c> was granted.</summary>
    public bool RefreshTokensRequireOfflineAccess { get; init; }

    /// <summary>Refuse authorization and token requests without an RFC 8707 <c>resource</c> (as the MCP spec requires clients to send one).</summary>
    public bool RequireResource { get; init; }

    /// <summary>A path for the issuer (<c>/tenant1</c>), to exercise RFC 8414 §3.1 path insertion; empty for none.</summary>
    public string IssuerPath { get; init; } = "";

    /// <summary>Serve the counters as JSON at <c>GET {issuer}/__stats</c>.</summary>
    public bool ExposeStatsEndpoint { get; init; }

    /// <summary>
    /// Accepts the JWT bearer grant (RFC 7523 §2.1) when set: returns the subject of an assertion it trusts, or null to
    /// refuse it (<c>invalid_grant</c>). For enterprise-managed authorization tests (the assertion is an IdP's ID-JAG).
    /// </summary>
    public Func<string, string?>? JwtBearerAssertionValidator { get; init; }

    /// <summary>
    /// Called with (kind, value) for every secret the server issues or receives: authorization codes, access and
    /// refresh tokens, client secrets, PKCE verifiers, client assertions. For a test suite's secret ledger (the sweep
    /// checks that none of them shows up in logs); null for none.
    /// </summary>
    public Action<string, string>? SecretObserver { get; init; }

    /// <summary>Documented provider behaviours to emulate (docs/providers.md); none by default.</summary>
    public SandboxQuirks Quirks { get; init; } = SandboxQuirks.None;

    /// <summary>The clock for every lifetime above.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Serve HTTPS with this certificate (with its private key, valid for 127.0.0.1, e.g. issued by a test CA); null
    /// (the default) for plain HTTP. For tests of custom CA bundles and of HTTPS through a forward proxy.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; init; }
}

/// <summary>Options of <see cref="SandboxMcpServer"/>.</summary>
public sealed record SandboxMcpServerOptions
{
    /// <summary>RFC 9728 <c>authorization_servers</c>: issuer identifiers the MCP server trusts.</summary>
    public IReadOnlyList<string> AuthorizationServers { get; init; } = [];

    /// <summary>RFC 9728 <c>scopes_supported</c>.</summary>
    public IReadOnlyList<string> ScopesSupported { get; init; } = ["mcp:read", "mcp:admin"];

    /// <summary>The scope every MCP request needs (named in 401 challenges); empty for none.</summary>
    public string RequiredScope { get; init; } = "mcp:read";

    /// <summary>The scope the <c>admin</c> tool needs in addition (403 <c>insufficient_scope</c> otherwise).</summary>
    public string AdminScope { get; init; } = "mcp:admin";

    /// <summary>Accept tokens that carry no audience. Off: the MCP spec requires audience-bound tokens (RFC 8707).</summary>
    public bool AcceptTokensWithoutAudience { get; init; }

    /// <summary>Serve the counters as JSON at <c>GET /__stats</c>.</summary>
    public bool ExposeStatsEndpoint { get; init; }

    /// <summary>
    /// Serve HTTPS with this certificate (with its private key, valid for 127.0.0.1, e.g. issued by a test CA); null
    /// (the default) for plain HTTP. For tests of custom CA bundles and of HTTPS through a forward proxy.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; init; }
}
