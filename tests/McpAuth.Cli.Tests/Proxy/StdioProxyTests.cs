using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using McpAuth.Cli.Commands.Proxy;

namespace McpAuth.Cli.Tests.Proxy;

public sealed class StdioProxyTests : IAsyncLifetime
{
    private FakeMcpServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _server = await FakeMcpServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task<(List<JsonNode> Output, string Log)> RunAsync(IProxyCredentials credentials, params string[] lines)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var proxy = new StdioProxy(new StringReader(string.Join('\n', lines) + "\n"), stdout, stderr);
        var forwarder = new StreamableHttpForwarder(_http, _server.Url, credentials, [new("X-Tenant", "acme")], proxy.WriteAsync, stderr);
        await proxy.RunAsync(forwarder, default).WaitAsync(TimeSpan.FromSeconds(20));
        var output = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        return (output, stderr.ToString());
    }

    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}""";
    private const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";
    private const string Call = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}}""";

    [Fact]
    public async Task Forwards_requests_and_relays_json_sse_and_server_initiated_messages()
    {
        var (output, _) = await RunAsync(new FixedCredentials("good"), Initialize, Initialized, Call);

        Assert.Contains(output, m => m["id"]?.ToJsonString() == "1" && m["result"]?["serverInfo"]?["name"]?.GetValue<string>() == "fake");
        Assert.Contains(output, m => m["method"]?.GetValue<string>() == "notifications/progress");
        Assert.Contains(output, m => m["id"]?.ToJsonString() == "2" && m["result"] is not null);
        Assert.Contains(output, m => m["method"]?.GetValue<string>() == "ping");
        var requests = _server.Requests.ToList();
        Assert.All(requests, r => Assert.Equal("Bearer good", r.Authorization));
        Assert.All(requests, r => Assert.Equal("acme", r.Tenant));
        Assert.Contains(requests, r => r.Method == "POST" && r.Session == "session-1" && r.Protocol == "2025-06-18");
        Assert.Contains(requests, r => r.Method == "GET" && r.Session == "session-1");
        Assert.Contains(requests, r => r.Method == "DELETE" && r.Session == "session-1");
    }

    [Fact]
    public async Task A_rejected_credential_is_handed_to_the_engine_and_the_request_retried()
    {
        var credentials = new RotatingCredentials();

        var (output, _) = await RunAsync(credentials, Initialize);

        Assert.Equal(1, credentials.Rejections);
        Assert.Equal(HttpStatusCode.Unauthorized, credentials.LastRejectedStatus);
        Assert.Contains(output, m => m["id"]?.ToJsonString() == "1" && m["result"] is not null);
    }

    [Fact]
    public async Task A_credential_that_stays_rejected_becomes_a_json_rpc_error_for_the_request()
    {
        var (output, log) = await RunAsync(new FixedCredentials("bad"), Initialize, Initialized);

        var error = Assert.Single(output);
        Assert.Equal(1, error["id"]?.GetValue<int>());
        Assert.Contains("401", error["error"]?["message"]?.GetValue<string>());
        Assert.Contains("401", log);
    }

    [Fact]
    public async Task A_server_that_refuses_every_fresh_login_gets_no_more_than_three_in_a_row()
    {
        var credentials = new NeverAcceptedCredentials();

        var (output, log) = await RunAsync(credentials, Initialize, Call, Call, Call);

        Assert.Equal(StreamableHttpForwarder.MaxLoginsWithoutSuccess, credentials.Logins); // not two per message
        Assert.Equal(4, output.Count(m => m["error"] is not null));
        Assert.Contains("refused 3 fresh logins in a row", log);
    }

    [Fact]
    public async Task Lines_that_are_not_json_are_skipped_with_a_note_on_stderr()
    {
        var (output, log) = await RunAsync(new FixedCredentials("good"), "not json", Initialize);

        Assert.Contains(output, m => m["id"]?.ToJsonString() == "1");
        Assert.Contains("not JSON", log);
    }

    private sealed class FixedCredentials(string token) : IProxyCredentials
    {
        public Task<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken) =>
            Task.FromResult<AuthenticationHeaderValue?>(new("Bearer", token));

        public Task<bool> HandleRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class RotatingCredentials : IProxyCredentials
    {
        private string _token = "expired";

        public int Rejections { get; private set; }

        public HttpStatusCode? LastRejectedStatus { get; private set; }

        public Task<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken) =>
            Task.FromResult<AuthenticationHeaderValue?>(new("Bearer", _token));

        public Task<bool> HandleRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            Rejections++;
            LastRejectedStatus = response.StatusCode;
            _token = "good";
            return Task.FromResult(true);
        }
    }

    /// <summary>"Logs in" on every rejection, but the server never accepts the token.</summary>
    private sealed class NeverAcceptedCredentials : IProxyCredentials
    {
        public int Logins { get; private set; }

        public Task<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken) =>
            Task.FromResult<AuthenticationHeaderValue?>(new("Bearer", "bad"));

        public Task<bool> HandleRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            Logins++;
            return Task.FromResult(true);
        }
    }
}
