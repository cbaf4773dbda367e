using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpAuth.Sandbox.Tests;

/// <summary>One fresh sandbox per test (xUnit makes one class instance per test).</summary>
public abstract class SandboxTestBase : IAsyncLifetime
{
    private Sandbox? _sandbox;
    private OAuthTestClient? _oauth;

    internal Sandbox Sandbox => _sandbox!;

    internal OAuthTestClient OAuth => _oauth!;

    protected virtual SandboxOptions Options => new();

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.StartAsync(Options);
        _oauth = new OAuthTestClient(_sandbox);
    }

    public async Task DisposeAsync()
    {
        _oauth?.Dispose();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    /// <summary>POSTs one JSON-RPC message to /mcp with an optional bearer token.</summary>
    internal Task<McpAnswer> McpPostAsync(string? accessToken, string json, Uri? url = null) =>
        McpAnswer.PostAsync(OAuth.Http, url ?? Sandbox.McpServerUrl, accessToken, json);

    internal static string Call(string tool, string arguments = "{}") =>
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}";
}

internal sealed record McpAnswer(HttpStatusCode Status, string Body, string[] WwwAuthenticate)
{
    public static async Task<McpAnswer> PostAsync(HttpClient http, Uri url, string? accessToken, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var response = await http.SendAsync(request);
        return new McpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.WwwAuthenticate.Select(h => h.ToString()).ToArray());
    }

    public JsonElement Result => JsonDocument.Parse(Body).RootElement.GetProperty("result").Clone();

    /// <summary>The text of the first content block of a tools/call result.</summary>
    public string ToolText => Result.GetProperty("content")[0].GetProperty("text").GetString()!;
}
