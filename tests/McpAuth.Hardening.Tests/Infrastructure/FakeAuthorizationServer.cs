using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>
/// Makes a <see cref="HostileServer"/> play an authorization server that authorizes at once: RFC 8414 metadata,
/// open registration, an authorization endpoint that 302s to the redirect URI with code, state and iss, and a token
/// endpoint that issues unique tokens. Attacks replace one piece (<see cref="Metadata"/> members, a route).
/// </summary>
public sealed class FakeAuthorizationServer
{
    private int _issued;

    public FakeAuthorizationServer(HostileServer server, string? issuer = null)
    {
        Server = server;
        Issuer = issuer ?? server.Origin;
        Metadata = new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = server.Origin + "/authorize",
            ["token_endpoint"] = server.Origin + "/token",
            ["registration_endpoint"] = server.Origin + "/register",
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "none"),
            ["authorization_response_iss_parameter_supported"] = true,
            ["scopes_supported"] = new JsonArray("mcp:read", "offline_access"),
        };
        server.On("GET", "/.well-known/oauth-authorization-server", c => Respond.Json(c, Metadata.ToJsonString()));
        server.On("POST", "/register", c => Respond.Json(c, $$"""{"client_id":"client-{{Guid.NewGuid():N}}","client_secret":"{{ClientSecret}}","token_endpoint_auth_method":"client_secret_basic"}""", 201));
        server.On("GET", "/authorize", Authorize);
        server.On("POST", "/token", Token);
    }

    public HostileServer Server { get; }

    public string Issuer { get; }

    /// <summary>The metadata document served; change members before the client discovers.</summary>
    public JsonObject Metadata { get; }

    /// <summary>The <c>iss</c> the authorization endpoint puts in its redirect; null to leave it out.</summary>
    public string? CallbackIssuer { get; set; } = "";

    /// <summary>The client secret every registration gets (a secret the tests look for).</summary>
    public string ClientSecret { get; } = "cs-" + Guid.NewGuid().ToString("N");

    /// <summary>Every access and refresh token issued so far.</summary>
    public List<string> IssuedTokens { get; } = [];

    /// <summary>Every authorization code handed out.</summary>
    public List<string> IssuedCodes { get; } = [];

    /// <summary>The token response lifetime, <c>expires_in</c>.</summary>
    public int ExpiresIn { get; set; } = 3600;

    private Task Authorize(HttpContext context)
    {
        var q = context.Request.Query;
        var code = "code-" + Guid.NewGuid().ToString("N");
        lock (IssuedCodes)
        {
            IssuedCodes.Add(code);
        }
        var iss = CallbackIssuer == "" ? Issuer : CallbackIssuer;
        var location = $"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"].ToString())}"
            + (iss is null ? "" : $"&iss={Uri.EscapeDataString(iss)}");
        return Respond.Redirect(context, location);
    }

    private Task Token(HttpContext context)
    {
        var n = Interlocked.Increment(ref _issued);
        var access = $"at-{n}-{Guid.NewGuid():N}";
        var refresh = $"rt-{n}-{Guid.NewGuid():N}";
        lock (IssuedTokens)
        {
            IssuedTokens.Add(access);
            IssuedTokens.Add(refresh);
        }
        return Respond.Json(context, $$"""{"access_token":"{{access}}","token_type":"Bearer","expires_in":{{ExpiresIn}},"refresh_token":"{{refresh}}","scope":"mcp:read"}""");
    }
}

/// <summary>
/// Makes a <see cref="HostileServer"/> play an MCP server at <c>/mcp</c>: RFC 9728 metadata naming the resource and
/// its authorization servers, and 401 with <c>resource_metadata</c> unless the request carries an accepted token.
/// </summary>
public sealed class FakeMcpServer
{
    public FakeMcpServer(HostileServer server, params string[] authorizationServers)
    {
        Server = server;
        Metadata = new JsonObject
        {
            ["resource"] = server.Origin + "/mcp",
            ["authorization_servers"] = new JsonArray([.. authorizationServers.Select(s => (JsonNode)s)]),
            ["scopes_supported"] = new JsonArray("mcp:read"),
        };
        server.On("GET", "/.well-known/oauth-protected-resource/mcp", c => Respond.Json(c, Metadata.ToJsonString()));
        server.On("POST", "/mcp", Mcp);
    }

    public HostileServer Server { get; }

    public Uri Url => Server.Url("/mcp");

    public JsonObject Metadata { get; }

    /// <summary>Tokens this server accepts; empty accepts any bearer.</summary>
    public HashSet<string> Accepted { get; } = [];

    private Task Mcp(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        if (token is not null && (Accepted.Count == 0 || Accepted.Contains(token)))
        {
            return Respond.Json(context, """{"jsonrpc":"2.0","id":1,"result":{}}""");
        }
        context.Response.Headers.WWWAuthenticate =
            $"Bearer resource_metadata=\"{Server.Origin}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\"";
        context.Response.StatusCode = 401;
        return Task.CompletedTask;
    }
}
