using McpAuth.Cli.Tests.EndToEnd;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// <c>mcpauth proxy</c> between real MCP stdio clients (the TypeScript SDK's Client over StdioClientTransport, the C#
/// SDK's McpClient over its StdioClientTransport) and real MCP servers on Node: the TypeScript SDK's example Streamable
/// HTTP server with its OAuth demo provider, a legacy HTTP+SSE server on the SDK's SSEServerTransport, and servers
/// without OAuth. Each lists the tools and calls one.
/// </summary>
public sealed class ProxyClientTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Dictionary<string, string> _environment = null!;

    private string Home => Path.Combine(_home.Path, "home");

    public async Task InitializeAsync() => _environment = new() { ["BROWSER"] = await CurlBrowser.CreateAsync(_home.Path) };

    public Task DisposeAsync()
    {
        _home.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TypeScript_client_through_the_proxy_logs_in_once_at_the_sdk_example_server_then_reuses_the_credential()
    {
        await using var server = await NodeMcpServer.StartStreamableExampleAsync(oauth: true);

        var first = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri], ["greet:{\"name\":\"Ada\"}"], _environment);
        var second = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri], ["greet:{\"name\":\"Bob\"}"],
            new Dictionary<string, string> { ["BROWSER"] = "/bin/false" });

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("greet", first.Tools);
        Assert.Equal(["Hello, Ada!"], first.CallTexts);
        Assert.Contains("asks for authorization", first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(["Hello, Bob!"], second.CallTexts);
        Assert.DoesNotContain("asks for authorization", second.Stderr);
    }

    [Fact]
    public async Task TypeScript_client_reaches_a_legacy_sse_server_by_fallback_and_the_token_is_refreshed_mid_session()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: true, tokenLifetime: TimeSpan.FromSeconds(2));

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri],
            ["echo:{\"text\":\"one\"}", "echo:{\"text\":\"two\"}"], _environment, pauseBetweenCalls: TimeSpan.FromSeconds(3));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["echo", "whoami", "interrupted", "fail"], run.Tools);
        Assert.Equal(["one", "two"], run.CallTexts);
        var stats = await server.StatsAsync();
        Assert.Equal(1, stats["authorization_code"]);
        Assert.True(stats["refresh_token"] >= 1, $"refreshes: {stats["refresh_token"]}");
        Assert.Equal(1, stats["sse_connections"]);
    }

    [Theory]
    [InlineData("http-first")]
    [InlineData("sse-only")]
    [InlineData("sse-first")]
    public async Task A_legacy_sse_server_without_oauth_just_works_and_nothing_is_logged_in(string transport)
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: false);

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri, "--transport", transport], ["whoami"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["anonymous"], run.CallTexts);
        Assert.DoesNotContain("authoriz", run.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(Path.Combine(Home, "locks")), "no login was started");
    }

    [Fact]
    public async Task The_sdk_example_server_without_oauth_just_works_over_streamable_http_only()
    {
        await using var server = await NodeMcpServer.StartStreamableExampleAsync(oauth: false);

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri, "--transport", "http-only"], ["greet:{\"name\":\"Eve\"}"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["Hello, Eve!"], run.CallTexts);
        Assert.DoesNotContain("authoriz", run.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_response_stream_cut_mid_call_is_resumed_with_last_event_id_and_the_answer_arrives()
    {
        await using var server = await NodeMcpServer.StartResumableAsync();

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri], ["interrupted", "echo:{\"text\":\"after\"}"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["answered after the stream was cut", "after"], run.CallTexts);
        Assert.Equal(1, (await server.StatsAsync())["resumptions"]);
    }

    [Fact]
    public async Task A_servers_json_rpc_error_reaches_the_client_with_its_code_and_data()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: false);

        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", server.Url.AbsoluteUri], ["fail"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var error = Assert.Single(run.Answers, a => a.Kind == "error").Value;
        Assert.Equal(-32042, error.GetProperty("code").GetInt32());
        Assert.Contains("The test server refuses", error.GetProperty("message").GetString());
        Assert.Equal("on purpose", error.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_csharp_sdk_stdio_client_through_the_proxy_logs_in_and_calls_a_tool()
    {
        await using var server = await NodeMcpServer.StartStreamableExampleAsync(oauth: true);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = CliProcess.ExecutablePath,
            Arguments = ["proxy", server.Url.AbsoluteUri],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCPAUTH_HOME"] = Home, ["BROWSER"] = _environment["BROWSER"] },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        var result = await client.CallToolAsync("greet", new Dictionary<string, object?> { ["name"] = "Cy" }, cancellationToken: timeout.Token);

        Assert.Contains(tools, t => t.Name == "greet");
        Assert.Equal("Hello, Cy!", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal("simple-streamable-http-server", client.ServerInfo?.Name);
    }
}
