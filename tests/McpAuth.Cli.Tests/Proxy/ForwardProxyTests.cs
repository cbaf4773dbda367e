using McpAuth.Cli.Tests.EndToEnd;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// HTTP_PROXY / NO_PROXY through a real forward proxy (tinyproxy on loopback): the MCP requests and the OAuth requests
/// of the login go through it; NO_PROXY bypasses it; and the endpoint policy still refuses a forbidden target URL,
/// which then never reaches the proxy.
/// </summary>
public sealed class ForwardProxyTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private TinyProxy _proxy = null!;
    private string _browser = null!;

    private string Home => Path.Combine(_home.Path, "home");

    public async Task InitializeAsync()
    {
        _proxy = await TinyProxy.StartAsync(Path.Combine(_home.Path, "tinyproxy"));
        _browser = await CurlBrowser.CreateAsync(_home.Path);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Http_proxy_carries_the_mcp_and_the_oauth_requests()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: true);

        // tinyproxy closes its client connection after every response without saying so (no Connection: close): a POST
        // sent on that connection before the close arrives failed with ResponseEnded (about 1 session in 8), so the
        // proxy opens a new connection per request when a forward proxy is in use (RemoteConnector).
        var run = await RunThroughProxyAsync(server, Home);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["via proxy"], run.CallTexts);
        var origin = server.Url.GetLeftPart(UriPartial.Authority);
        var seen = _proxy.RequestLines;
        Assert.Contains($"GET {origin}/sse HTTP/1.1", seen);
        Assert.Contains(seen, l => l.StartsWith($"POST {origin}/messages?sessionId=", StringComparison.Ordinal));
        Assert.Contains($"POST {origin}/register HTTP/1.1", seen);
        Assert.Contains($"POST {origin}/token HTTP/1.1", seen);
    }

    private Task<ClientRun> RunThroughProxyAsync(NodeMcpServer server, string home) =>
        TypeScriptStdioClient.RunAsync(home, ["proxy", server.Url.AbsoluteUri], ["echo:{\"text\":\"via proxy\"}"],
            new Dictionary<string, string> { ["BROWSER"] = _browser, ["HTTP_PROXY"] = _proxy.Url.AbsoluteUri, ["NO_PROXY"] = "" });

    [Fact]
    public async Task No_proxy_bypasses_it()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: false);

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri], ["whoami"],
            new Dictionary<string, string> { ["HTTP_PROXY"] = _proxy.Url.AbsoluteUri, ["NO_PROXY"] = "127.0.0.1" });

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["anonymous"], run.CallTexts);
        Assert.Empty(_proxy.RequestLines);
    }

    [Theory]
    [InlineData("http://169.254.169.254/mcp")]
    [InlineData("http://mcp.example.com/mcp")]
    [InlineData("https://169.254.169.254/mcp")]
    [InlineData("https://metadata.google.internal/mcp")]
    public async Task The_endpoint_policy_still_refuses_the_target_and_nothing_reaches_the_proxy(string target)
    {
        // Through a proxy the connect-time address check sees only the proxy's address: the URL check refuses the target.
        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", target, "--transport", "http-only"], [],
            new Dictionary<string, string> { ["HTTP_PROXY"] = _proxy.Url.AbsoluteUri, ["HTTPS_PROXY"] = _proxy.Url.AbsoluteUri, ["NO_PROXY"] = "" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("mcpauth proxy: initialize:", run.Stderr);
        Assert.Contains(target.StartsWith("https", StringComparison.Ordinal) ? "(ForbiddenAddress" : "(", run.Stderr);
        Assert.Empty(_proxy.RequestLines);
    }
}
