using System.Text;
using McpAuth.Engine;
using McpAuth.Http;

namespace McpAuth.Tests.Orchestration;

public class TokenEndpointTests
{
    private static readonly Uri Endpoint = new("https://as.example.com/token");
    private static readonly List<KeyValuePair<string, string>> Grant = [new("grant_type", "client_credentials")];
    private static readonly ClientIdentity Basic = new("https://as.example.com", "id one", "se:cret", "client_secret_basic", "preregistered");

    private static TokenEndpoint Create(HttpMessageHandler http, TimeSpan? timeout = null) =>
        new(new OAuthHttpClient(new HttpClient(http), new OAuthHttpOptions { RequestTimeout = timeout ?? TimeSpan.FromSeconds(5) }),
            TimeProvider.System, null);

    [Fact]
    public async Task Basic_authentication_sends_the_encoded_header_and_no_client_id_in_the_body()
    {
        var http = new FakeHttp().OnJson("POST", Endpoint.ToString(), """{"access_token":"a","token_type":"Bearer"}""");
        var response = await Create(http).RequestAsync(Endpoint, "https://as.example.com", Basic, Grant, null, default);
        Assert.Equal("a", response.AccessToken);
        var request = Assert.Single(http.Requests);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("id+one:se%3Acret")), request.Headers["Authorization"]);
        Assert.Equal(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, request.Form());
    }

    [Fact]
    public async Task Use_dpop_nonce_is_retried_once_with_the_server_nonce()
    {
        var calls = 0;
        var http = new FakeHttp().On("POST", Endpoint.ToString(), _ =>
        {
            var response = FakeHttp.Json(++calls == 1 ? """{"error":"use_dpop_nonce"}""" : """{"access_token":"a","token_type":"DPoP"}""", calls == 1 ? 400 : 200);
            response.Headers.TryAddWithoutValidation("DPoP-Nonce", "n-" + calls);
            return response;
        });
        var signer = new RecordingSigner();
        var result = await Create(http).RequestAsync(Endpoint, "https://as.example.com", Basic, Grant, signer, default);
        Assert.Equal("DPoP", result.TokenType);
        Assert.Equal([null, "n-1"], signer.Nonces);
    }

    [Fact]
    public async Task A_second_use_dpop_nonce_is_an_error_not_a_loop()
    {
        var http = new FakeHttp().On("POST", Endpoint.ToString(), _ =>
        {
            var response = FakeHttp.Json("""{"error":"use_dpop_nonce"}""", 400);
            response.Headers.TryAddWithoutValidation("DPoP-Nonce", "n");
            return response;
        });
        var e = await Assert.ThrowsAsync<McpAuthException>(() => Create(http).RequestAsync(Endpoint, "x", Basic, Grant, new RecordingSigner(), default));
        Assert.Equal("use_dpop_nonce", e.OAuthError);
        Assert.Equal(2, http.Requests.Count);
    }

    [Theory]
    [InlineData(400, "application/json", """{"error":"invalid_grant","error_description":"nope"}""", McpAuthErrorCode.InvalidGrant)]
    [InlineData(401, "application/json", """{"error":"invalid_client"}""", McpAuthErrorCode.InvalidClient)]
    [InlineData(200, "text/html", "<html>", McpAuthErrorCode.InvalidResponse)]
    [InlineData(200, "application/json", "not json", McpAuthErrorCode.InvalidResponse)]
    [InlineData(503, "text/plain", "down", McpAuthErrorCode.TemporarilyUnavailable)]
    public async Task Failures_are_classified(int status, string type, string body, McpAuthErrorCode code)
    {
        var http = new FakeHttp().On("POST", Endpoint.ToString(), _ =>
            new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, type) });
        var e = await Assert.ThrowsAsync<McpAuthException>(() => Create(http).RequestAsync(Endpoint, "x", Basic, Grant, null, default));
        Assert.Equal(code, e.Code);
        Assert.DoesNotContain("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transport_failure_timeout_and_cancellation()
    {
        var failing = new DelegateHandler((_, _) => throw new HttpRequestException("refused"));
        Assert.Equal(McpAuthErrorCode.TransportFailure,
            (await Assert.ThrowsAsync<McpAuthException>(() => Create(failing).RequestAsync(Endpoint, "x", Basic, Grant, null, default))).Code);
        var slow = new DelegateHandler(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; });
        Assert.Equal(McpAuthErrorCode.Timeout, (await Assert.ThrowsAsync<McpAuthException>(() =>
            Create(slow, TimeSpan.FromMilliseconds(50)).RequestAsync(Endpoint, "x", Basic, Grant, null, default))).Code);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Create(slow).RequestAsync(Endpoint, "x", Basic, Grant, null, cancelled.Token));
    }

    private sealed class RecordingSigner : IDPoPProofSigner
    {
        public List<string?> Nonces { get; } = [];

        public string PrivateJwk => "{}";

        public string CreateProof(string method, Uri target, DateTimeOffset now, string? nonce, string? accessToken)
        {
            Nonces.Add(nonce);
            return $"proof-{Nonces.Count}";
        }
    }

    private sealed class DelegateHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            send(request, cancellationToken);
    }
}
