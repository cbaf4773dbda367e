using System.Net;
using System.Text;
using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class McpAuthHandlerTests
{
    private static readonly Uri Server = new(OAuthWorld.Server);

    private static HttpClient Mcp(OAuthWorld world, McpAuthClient client) =>
        new(new McpAuthHandler(client, Server, world.Interaction) { InnerHandler = world.Http });

    private static StringContent Body(string method) => new($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}"}""", Encoding.UTF8, "application/json");

    private static HttpResponseMessage Challenge(int status, string header)
    {
        var response = FakeHttp.Status(status);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", header);
        return response;
    }

    [Fact]
    public async Task A_handler_for_one_server_reads_its_stored_credential_before_the_first_request_which_then_reads_nothing()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        world.Http.On("POST", OAuthWorld.Server, _ => FakeHttp.Json("""{"jsonrpc":"2.0","id":1,"result":{}}"""));
        store.Log.Clear();
        var readAhead = store.NextRead(McpAuth.Storage.StoreEntryKind.Credential);

        using var http = Mcp(world, world.Client()); // a new engine: nothing in memory yet
        await ReadAheadAsync(readAhead);
        store.Reader.Value = "request"; // the read ahead began before: its reads are not the request's

        using var response = await http.PostAsync(Server, Body("tools/list"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(store.ReadsBy);
        Assert.Equal(1, store.Log.Count(entry => entry == "read Credential"));
        Assert.Single(world.Http.Requests, r => r.Key == $"POST {OAuthWorld.Server}"); // the read ahead sent nothing
        Assert.Equal(1, world.TokensIssued);
    }

    /// <summary>
    /// Waits until the handler's read ahead has begun reading the credential: it then holds the server's session, so
    /// a request sent now waits for it instead of reading the store itself.
    /// </summary>
    private static Task ReadAheadAsync(Task credentialRead) => credentialRead.WaitAsync(TimeSpan.FromSeconds(15));

    [Fact]
    public async Task A_stored_credential_that_cannot_be_read_ahead_is_reported_by_the_first_request()
    {
        var store = new RecordingStore();
        var world = new OAuthWorld(store: store);
        await world.Client().AuthorizeAsync(Server, world.Interaction, default);
        store.FailReads = [McpAuth.Storage.StoreEntryKind.Credential];
        store.Log.Clear();
        var readAhead = store.NextRead(McpAuth.Storage.StoreEntryKind.Credential);

        using var http = Mcp(world, world.Client());
        await ReadAheadAsync(readAhead);
        store.Reader.Value = "request";
        var e = await Assert.ThrowsAsync<McpAuthException>(() => http.PostAsync(Server, Body("tools/list")));
        Assert.Equal(McpAuthErrorCode.StoreEntryCorrupt, e.Code);
        Assert.Equal(2, store.Log.Count(entry => entry == "read Credential")); // read ahead, then again by the request
        Assert.Contains("request read Credential", store.ReadsBy);
    }

    [Fact]
    public async Task A_401_authorizes_and_retries_once_with_the_same_body_and_a_bearer_token()
    {
        var world = new OAuthWorld();
        world.Http.On("POST", OAuthWorld.Server, r => r.Headers.TryGetValue("Authorization", out var a) && a == "Bearer at-1"
            ? FakeHttp.Json("""{"jsonrpc":"2.0","id":1,"result":{}}""")
            : Challenge(401, $"Bearer resource_metadata=\"{OAuthWorld.Prm}\", scope=\"mcp:basic\""));
        using var response = await Mcp(world, world.Client()).PostAsync(Server, Body("tools/list"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = world.Http.Requests.Where(r => r.Key == $"POST {OAuthWorld.Server}").ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.False(calls[0].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_second_401_after_authorizing_is_returned_not_looped()
    {
        var world = new OAuthWorld();
        world.Http.On("POST", OAuthWorld.Server, _ => Challenge(401, $"Bearer resource_metadata=\"{OAuthWorld.Prm}\""));
        using var response = await Mcp(world, world.Client()).PostAsync(Server, Body("tools/list"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, world.TokensIssued);
    }

    [Fact]
    public async Task Insufficient_scope_steps_up_with_the_union_of_scopes_up_to_the_limit()
    {
        var world = new OAuthWorld();
        world.Http.On("POST", OAuthWorld.Server, r => !r.Headers.ContainsKey("Authorization")
            ? Challenge(401, $"Bearer resource_metadata=\"{OAuthWorld.Prm}\", scope=\"mcp:basic\"")
            : Challenge(403, $"Bearer error=\"insufficient_scope\", scope=\"mcp:write\", resource_metadata=\"{OAuthWorld.Prm}\""));
        var http = Mcp(world, world.Client(new McpAuthOptions { Authorization = { MaxStepUpAttempts = 2 } }));
        // The first request authorizes (401); the next two step up once each; the fourth exceeds the limit.
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync(Server, Body("tools/call"));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        var e = await Assert.ThrowsAsync<McpAuthException>(() => http.PostAsync(Server, Body("tools/call")));
        Assert.Equal(McpAuthErrorCode.StepUpLimitExceeded, e.Code);
        Assert.Equal(["mcp:basic", "mcp:basic mcp:write", "mcp:basic mcp:write"], world.AuthorizedScopes);
    }

    [Fact]
    public async Task Dpop_tokens_use_the_dpop_scheme_a_fresh_proof_per_request_and_the_resource_nonce()
    {
        var world = new OAuthWorld(asMetadataExtra: ""","dpop_signing_alg_values_supported":["ES256"]""");
        world.Http.On("POST", "https://as.example.com/token", r => FakeHttp.Json("""{"access_token":"dpop-at","token_type":"DPoP"}"""));
        world.Http.On("POST", OAuthWorld.Server, r =>
        {
            if (!r.Headers.TryGetValue("Authorization", out var authorization))
            {
                return Challenge(401, $"DPoP resource_metadata=\"{OAuthWorld.Prm}\"");
            }
            Assert.Equal("DPoP dpop-at", authorization);
            if (!Claims(r.Headers["DPoP"]).Contains("\"nonce\":\"rs-nonce\"", StringComparison.Ordinal))
            {
                var challenge = Challenge(401, "DPoP error=\"use_dpop_nonce\"");
                challenge.Headers.TryAddWithoutValidation("DPoP-Nonce", "rs-nonce");
                return challenge;
            }
            return FakeHttp.Json("""{"jsonrpc":"2.0","id":1,"result":{}}""");
        });
        using var response = await Mcp(world, world.Client()).PostAsync(Server, Body("tools/list"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var proofs = world.Http.Requests.Where(r => r.Headers.ContainsKey("DPoP")).Select(r => r.Headers["DPoP"]).ToList();
        Assert.Equal(3, proofs.Count);
        Assert.Equal(proofs.Count, proofs.Distinct().Count());
        Assert.Contains("\"htu\":\"https://as.example.com/token\"", Claims(proofs[0]), StringComparison.Ordinal);
        Assert.Contains("\"ath\"", Claims(proofs[2]), StringComparison.Ordinal);
    }

    private static string Claims(string jwt) =>
        Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]));
}
