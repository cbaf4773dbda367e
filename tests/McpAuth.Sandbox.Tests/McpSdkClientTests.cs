using System.Net.Http.Headers;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace McpAuth.Sandbox.Tests;

/// <summary>The official MCP C# SDK client (2.3.1) against the sandbox MCP server, with a bearer token added by hand.</summary>
public sealed class McpSdkClientTests(ITestOutputHelper output) : SandboxTestBase
{
    [Theory]
    [InlineData(null)]
    [InlineData("2025-03-26")]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    public async Task The_SDK_client_connects_lists_and_calls_tools(string? protocolVersion)
    {
        var (_, login) = await OAuth.LoginAsync();
        using var http = new HttpClient(new BearerHandler(login.AccessToken) { InnerHandler = new HttpClientHandler() });
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = Sandbox.McpServerUrl, TransportMode = HttpTransportMode.StreamableHttp }, http, ownsHttpClient: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion }, cancellationToken: timeout.Token);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hello sandbox" }, cancellationToken: timeout.Token);

        output.WriteLine(string.Join(", ", Sandbox.McpServer.Stats.Snapshot().Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(["admin", "echo", "whoami"], tools.Select(t => t.Name).Order());
        Assert.Equal("hello sandbox", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
        Assert.Equal(protocolVersion ?? "2025-11-25", client.NegotiatedProtocolVersion);
        Assert.Equal(1, Sandbox.McpServer.Stats.Get(SandboxCounters.McpMethod("tools/call")));
        Assert.Equal(0, Sandbox.McpServer.Stats.Get(SandboxCounters.McpUnauthorized));
        // Unpinned, the SDK first probes with a 2026-07-28 server/discover (answered 400), then initializes.
        Assert.Equal(protocolVersion is null ? 6 : 5, Sandbox.McpServer.Stats.Get(SandboxCounters.Mcp));
        Assert.Equal(1, Sandbox.McpServer.Stats.Get(SandboxCounters.McpMethod("initialize")));
    }

    [Fact]
    public async Task The_SDK_OAuth_client_registers_authorizes_calls_and_steps_up_for_the_admin_scope()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var oauth = new ClientOAuthOptions
        {
            RedirectUri = new Uri(OAuthTestClient.RedirectUri),
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "sdk-test" },
            AuthorizationCallbackHandler = async (context, cancellationToken) =>
            {
                using var response = await http.GetAsync(context.AuthorizationUri, cancellationToken);
                var query = OAuthTestClient.ParseQuery(response.Headers.Location!);
                return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
            },
        };
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = Sandbox.McpServerUrl, TransportMode = HttpTransportMode.StreamableHttp, OAuth = oauth },
            http, ownsHttpClient: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        var admin = await client.CallToolAsync("admin", cancellationToken: timeout.Token);

        Assert.Equal("admin ok", Assert.IsType<TextContentBlock>(Assert.Single(admin.Content)).Text);
        var stats = Sandbox.AuthorizationServer.Stats;
        output.WriteLine(string.Join(", ", stats.Snapshot().Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine(string.Join(", ", Sandbox.McpServer.Stats.Snapshot().Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(1, stats.Get(SandboxCounters.Registration));
        Assert.Equal(2, stats.Get(SandboxCounters.Authorize));
        Assert.Equal(1, Sandbox.McpServer.Stats.Get(SandboxCounters.McpForbidden));
    }

    private sealed class BearerHandler(string accessToken) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
