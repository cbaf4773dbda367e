using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

/// <summary>
/// <see cref="OAuthWorld"/> with a revocation endpoint and refresh tokens: the code grant answers <c>at-N</c> and
/// <c>rt-N</c>; every revocation request is answered by <see cref="Revoke"/> (200 by default).
/// </summary>
internal sealed class LifecycleWorld
{
    public const string RevocationEndpoint = "https://as.example.com/revoke";
    public static readonly Uri Server = new(OAuthWorld.Server);

    public LifecycleWorld(string asMetadataExtra = "")
    {
        World = new OAuthWorld(asMetadataExtra: $$""","revocation_endpoint":"{{RevocationEndpoint}}"{{asMetadataExtra}}""");
        var issued = 0;
        World.Http.On("POST", "https://as.example.com/token", _ =>
        {
            issued++;
            return FakeHttp.Json($$"""{"access_token":"at-{{issued}}","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-{{issued}}"}""");
        });
        World.Http.On("POST", RevocationEndpoint, r => Revoke(r));
    }

    public OAuthWorld World { get; }

    public Func<RecordedRequest, HttpResponseMessage> Revoke { get; set; } = _ => FakeHttp.Status(200);

    public IReadOnlyList<RecordedRequest> Revocations => World.Http.Requests.Where(r => r.Key == "POST " + RevocationEndpoint).ToList();

    public async Task<McpAuthClient> LoggedInAsync(McpAuthOptions? options = null)
    {
        var client = World.Client(options);
        await client.AuthorizeAsync(Server, World.Interaction, default);
        return client;
    }
}
