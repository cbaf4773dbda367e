using System.Net;
using McpAuth.Engine;
using McpAuth.Storage;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// A fake MCP server at https://mcp.example.com/mcp with its resource metadata, and a fake authorization server at
/// https://as.example.com that authorizes at once (302 to the redirect URI with code, state and iss).
/// </summary>
internal sealed class OAuthWorld
{
    public const string Server = "https://mcp.example.com/mcp";
    public const string Prm = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
    public const string PrmRoot = "https://mcp.example.com/.well-known/oauth-protected-resource";
    public const string Issuer = "https://as.example.com";

    public FakeHttp Http { get; } = new();
    public TokenVault Vault { get; }
    public int Registrations { get; private set; }
    public List<string?> AuthorizedScopes { get; } = [];
    public int TokensIssued { get; private set; }

    public OAuthWorld(string prmResource = Server, string asMetadataExtra = "", ITokenStore? store = null)
    {
        Vault = new(store ?? new InMemoryTokenStore());
        Http.OnJson("GET", Prm, $$"""{"resource":"{{prmResource}}","authorization_servers":["{{Issuer}}"],"scopes_supported":["mcp:basic"]}""");
        AddAuthorizationServer(Issuer, asMetadataExtra);
    }

    public void AddAuthorizationServer(string issuer, string extra = "")
    {
        var host = new Uri(issuer).GetLeftPart(UriPartial.Authority);
        Http.OnJson("GET", $"{host}/.well-known/oauth-authorization-server", $$"""
            {"issuer":"{{issuer}}","authorization_endpoint":"{{issuer}}/authorize","token_endpoint":"{{issuer}}/token",
             "registration_endpoint":"{{issuer}}/register","code_challenge_methods_supported":["S256"],
             "token_endpoint_auth_methods_supported":["none"],"authorization_response_iss_parameter_supported":true{{extra}}}
            """);
        Http.On("POST", $"{issuer}/register", _ =>
        {
            Registrations++;
            return FakeHttp.Json($$"""{"client_id":"client-{{Registrations}}-{{new Uri(issuer).Host}}"}""", 201);
        });
        Http.On("GET", $"{issuer}/authorize", r =>
        {
            var q = r.Query();
            AuthorizedScopes.Add(q.GetValueOrDefault("scope"));
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri($"{q["redirect_uri"]}?code=code-{AuthorizedScopes.Count}&state={Uri.EscapeDataString(q["state"])}&iss={Uri.EscapeDataString(issuer)}");
            return response;
        });
        Http.On("POST", $"{issuer}/token", r =>
        {
            TokensIssued++;
            var scope = r.Form().GetValueOrDefault("scope");
            return FakeHttp.Json($$"""{"access_token":"at-{{TokensIssued}}","token_type":"Bearer","expires_in":3600}""");
        });
    }

    public McpAuthClient Client(McpAuthOptions? options = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null) =>
        new(options ?? new McpAuthOptions(), Vault, new HttpClient(Http), meterFactory: meterFactory);

    public IAuthorizationInteraction Interaction => new HeadlessAuthorizationInteraction(new HttpClient(Http));
}
