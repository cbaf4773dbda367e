using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAuth.IntegrationTests.RealServers;

/// <summary>What a script does with the token <c>mcpauth token</c> printed: MCP requests with it as a bearer token.</summary>
public static class McpCalls
{
    /// <summary>
    /// The official C# SDK client (its Streamable HTTP transport, the token as an Authorization header): lists the
    /// tools and calls "whoami"; returns the tool's text.
    /// </summary>
    public static async Task<string> WhoAmIWithSdkClientAsync(string mcpUrl, string token)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(mcpUrl),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        Assert.Contains(tools, tool => tool.Name == "whoami");
        var result = await client.CallToolAsync("whoami", cancellationToken: timeout.Token);
        Assert.NotEqual(true, result.IsError);
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }

    /// <summary>One JSON-RPC request POSTed with <paramref name="token"/> (null: none); the status and the JSON answer.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement? Body, HttpResponseHeaders Headers)> PostAsync(
        string mcpUrl, string? token, string method, object? parameters = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var json = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters ?? new { } });
        using var request = new HttpRequestMessage(HttpMethod.Post, mcpUrl)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : null;
        return (response.StatusCode, body, response.Headers);
    }

    /// <summary>initialize, tools/list and tools/call "whoami" with <paramref name="token"/>; returns the tool's text.</summary>
    public static async Task<string> WhoAmIRawAsync(string mcpUrl, string token)
    {
        var init = await PostAsync(mcpUrl, token, "initialize", new
        {
            protocolVersion = "2025-06-18",
            capabilities = new { },
            clientInfo = new { name = "mcpauth-tests", version = "1.0" },
        });
        Assert.Equal(HttpStatusCode.OK, init.Status);
        var list = await PostAsync(mcpUrl, token, "tools/list");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Contains(list.Body!.Value.GetProperty("result").GetProperty("tools").EnumerateArray(),
            tool => tool.GetProperty("name").GetString() == "whoami");
        var call = await PostAsync(mcpUrl, token, "tools/call", new { name = "whoami", arguments = new { } });
        Assert.Equal(HttpStatusCode.OK, call.Status);
        return call.Body!.Value.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    /// <summary>The status of a tools/list with <paramref name="token"/> (200 accepted, 401 rejected).</summary>
    public static async Task<HttpStatusCode> StatusWithAsync(string mcpUrl, string token) =>
        (await PostAsync(mcpUrl, token, "tools/list")).Status;
}
