using System.Net;
using System.Text;
using McpAuth.Cli.Tests;
using McpAuth.Cli.Tests.EndToEnd;
using McpAuth.Cli.Tests.Proxy;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>
/// <c>mcpauth proxy</c> between real stdio MCP clients (the TypeScript SDK's Client over StdioClientTransport, the C# SDK
/// 2.4.0's McpClient over its StdioClientTransport) and the C# SDK 2.4.0 server (tests/SdkServer) behind oidc-provider, in
/// its stateless (2026-07-28) and stateful modes. Each run starts with no credential: the first request gets the
/// server's 401, the proxy logs in (dynamic registration, the curl "browser" with a cookie jar through oidc-provider's
/// auto-consent), then tools/list and tool calls go through.
/// </summary>
public sealed class ProxySdkServerTests(OidcProviderSdkServers servers) : IClassFixture<OidcProviderSdkServers>, IDisposable
{
    private readonly TempHome _home = new();

    private string Home => Path.Combine(_home.Path, "home");

    public void Dispose() => _home.Dispose();

    private async Task<string> BrowserAsync()
    {
        var jar = Path.Combine(_home.Path, "cookies");
        return await CurlBrowser.CreateAsync(_home.Path, $"-c '{jar}' -b '{jar}'");
    }

    [Theory]
    [InlineData("stateless")]
    [InlineData("stateful")]
    public async Task TypeScript_client_through_the_proxy_logs_in_on_the_first_request_then_lists_and_calls_tools(string mode)
    {
        var server = servers.Server(mode);

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.McpUrl], ["echo:{\"text\":\"via proxy\"}", "whoami"],
            new Dictionary<string, string> { ["BROWSER"] = await BrowserAsync() });

        Assert.True(run.ExitCode == 0, $"{run.Stderr}\n{server.Log}");
        Assert.Contains("asks for authorization; logging in", run.Stderr);
        Assert.Equal(["echo", "whoami"], run.Tools.Order());
        Assert.Equal("via proxy", run.CallTexts[0]);
        Assert.StartsWith("sub alice, scope mcp:read", run.CallTexts[1]);
    }

    [Theory]
    [InlineData("stateless", "2026-07-28")]
    [InlineData("stateful", "2025-11-25")]
    public async Task Csharp_sdk_client_through_the_proxy_logs_in_on_the_first_request_then_lists_and_calls_tools(string mode, string version)
    {
        var server = servers.Server(mode);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = CliProcess.ExecutablePath,
            Arguments = ["proxy", server.McpUrl],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCPAUTH_HOME"] = Home, ["BROWSER"] = await BrowserAsync() },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "from C#" }, cancellationToken: timeout.Token);
        var whoami = await client.CallToolAsync("whoami", cancellationToken: timeout.Token);

        Assert.Equal(version, client.NegotiatedProtocolVersion);
        Assert.Equal(["echo", "whoami"], tools.Select(t => t.Name).Order());
        Assert.Equal("from C#", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
        Assert.StartsWith("sub alice, scope mcp:read", Assert.IsType<TextContentBlock>(Assert.Single(whoami.Content)).Text);
    }

    [Fact]
    public async Task The_stateless_server_refuses_2026_07_28_requests_without_the_mcp_headers_so_the_proxied_calls_carried_them()
    {
        // The C# SDK client's calls above went through at 2026-07-28: this shows that the server they reached refuses a
        // 2026-07-28 request that lacks Mcp-Method, or a tools/call that lacks Mcp-Name (HTTP 400), and takes them with.
        var server = servers.Server("stateless");
        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.McpUrl], [],
            new Dictionary<string, string> { ["BROWSER"] = await BrowserAsync() });
        Assert.True(run.ExitCode == 0, run.Stderr);
        var token = await new CliProcess(Home).RunAsync("token", server.McpUrl);
        Assert.True(token.ExitCode == 0, token.Stderr);
        var bearer = token.Stdout.Trim();
        const string call = "\"name\":\"echo\",\"arguments\":{\"text\":\"raw\"},";

        var listWithout = await PostAsync(server.McpUrl, bearer, "tools/list", "", []);
        var listWith = await PostAsync(server.McpUrl, bearer, "tools/list", "", [("Mcp-Method", "tools/list")]);
        var callWithout = await PostAsync(server.McpUrl, bearer, "tools/call", call, [("Mcp-Method", "tools/call")]);
        var callWith = await PostAsync(server.McpUrl, bearer, "tools/call", call, [("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")]);

        Assert.Equal(HttpStatusCode.BadRequest, listWithout.Status);
        Assert.Contains("Missing required Mcp-Method header", listWithout.Body);
        Assert.True(listWith.Status == HttpStatusCode.OK, listWith.Body);
        Assert.Contains("whoami", listWith.Body);
        Assert.Equal(HttpStatusCode.BadRequest, callWithout.Status);
        Assert.Contains("Missing required Mcp-Name header", callWithout.Body);
        Assert.True(callWith.Status == HttpStatusCode.OK, callWith.Body);
        Assert.Contains("raw", callWith.Body);
    }

    /// <summary>One 2026-07-28 request (the version header and the _meta the SDK server requires) with the given MCP headers.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(
        string mcpUrl, string token, string method, string parameters, (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        const string meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}";
        var json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":{" + parameters + meta + "}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, mcpUrl) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
