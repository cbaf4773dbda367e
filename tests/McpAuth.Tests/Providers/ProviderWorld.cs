using McpAuth.Engine;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Providers;

/// <summary>
/// <see cref="OAuthWorld"/> with a manual clock, refresh tokens and a revocation endpoint, where a test replaces the
/// authorization server metadata, the token answers (<see cref="Token"/>, given the request's form and the count so
/// far) and the revocation answers, to emulate one provider's documented behaviour. Unexpected requests still fail.
/// </summary>
internal sealed class ProviderWorld
{
    public const string Issuer = OAuthWorld.Issuer;
    public const string TokenEndpoint = Issuer + "/token";
    public const string RevocationEndpoint = Issuer + "/revoke";
    public static readonly Uri Server = new(OAuthWorld.Server);

    public ProviderWorld(string prmResource = OAuthWorld.Server)
    {
        World = new OAuthWorld(prmResource);
        World.Http.On("POST", TokenEndpoint, r =>
        {
            TokenRequests.Add(r);
            return Token(r.Form(), TokenRequests.Count);
        });
        World.Http.On("POST", RevocationEndpoint, r => Revoke(r));
    }

    public OAuthWorld World { get; }

    public ManualTimeProvider Time { get; } = new();

    public List<RecordedRequest> TokenRequests { get; } = [];

    /// <summary>Default: <c>at-N</c>, <c>rt-N</c>, one hour.</summary>
    public Func<Dictionary<string, string>, int, HttpResponseMessage> Token { get; set; } = (_, n) =>
        FakeHttp.Json($$"""{"access_token":"at-{{n}}","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-{{n}}"}""");

    public Func<RecordedRequest, HttpResponseMessage> Revoke { get; set; } = _ => FakeHttp.Status(200);

    public IEnumerable<Dictionary<string, string>> AuthorizeQueries =>
        World.Http.Requests.Where(r => r.Key == $"GET {Issuer}/authorize").Select(r => r.Query());

    /// <summary>Replaces the metadata with <paramref name="members"/> (JSON members after the issuer and endpoints).</summary>
    public void Metadata(string members, string issuer = Issuer) =>
        World.Http.OnJson("GET", "https://as.example.com/.well-known/oauth-authorization-server", $$"""
            {"issuer":"{{issuer}}","authorization_endpoint":"{{Issuer}}/authorize","token_endpoint":"{{TokenEndpoint}}",
             "registration_endpoint":"{{Issuer}}/register","revocation_endpoint":"{{RevocationEndpoint}}",
             "token_endpoint_auth_methods_supported":["none"],"authorization_response_iss_parameter_supported":true{{members}}}
            """);

    public McpAuthClient Client(McpAuthOptions? options = null) =>
        new(options ?? new McpAuthOptions(), World.Vault, new HttpClient(World.Http), Time);

    public async Task<McpAuthClient> LoggedInAsync(McpAuthOptions? options = null)
    {
        var client = Client(options);
        await client.AuthorizeAsync(Server, World.Interaction, default);
        return client;
    }
}
