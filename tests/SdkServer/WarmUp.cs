using System.Net.Http.Headers;
using System.Text;

namespace McpAuth.Tests.SdkServer;

/// <summary>
/// Sends this server the requests a login will send (metadata, an authorization and a token request that fail, an
/// unauthenticated MCP request) before it says it is ready: the first of each JIT-compiles ASP.NET Core, OpenIddict and
/// EF Core, which took over 15 s on a loaded 2-core test machine and timed the first login out.
/// </summary>
internal static class WarmUp
{
    /// <summary>The start of every made-up secret the warm-up sends (the secret ledger skips them).</summary>
    public const string WarmUpValue = "warm-up-";

    public static async Task RunAsync(SdkServerOptions options)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var mcp = new StringContent("{}", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri(options.McpUrl), mcp)).Dispose();
        (await http.GetAsync(new Uri(options.Origin + "/.well-known/oauth-protected-resource/mcp"))).Dispose();
        if (!options.HostsOpenIddict)
        {
            return;
        }
        (await http.GetAsync(new Uri(options.Origin + "/.well-known/oauth-authorization-server"))).Dispose();
        (await http.GetAsync(new Uri(options.Origin + "/.well-known/jwks"))).Dispose();
        var client = Uri.EscapeDataString(options.ClientId ?? "none");
        (await http.GetAsync(new Uri($"{options.Origin}/connect/authorize?response_type=code&client_id={client}"))).Dispose();
        using var token = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Origin + "/connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = WarmUpValue,
                ["redirect_uri"] = options.RedirectUri ?? "http://127.0.0.1/",
                ["code_verifier"] = WarmUpValue + new string('a', 35),
            }),
        };
        token.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(
            Encoding.UTF8.GetBytes($"{client}:{Uri.EscapeDataString(WarmUpValue + "wrong-secret")}")));
        (await http.SendAsync(token)).Dispose();
    }
}
