using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.Sandbox.Tests;

/// <summary>
/// A deliberately raw OAuth client for the tests: plain HttpClient, redirects off, every parameter visible. It is
/// not the McpAuth engine (the sandbox must be checked by something independent of the code it will test).
/// </summary>
internal sealed class OAuthTestClient(Sandbox sandbox) : IDisposable
{
    public const string RedirectUri = "http://127.0.0.1:9/callback";

    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false });

    public SandboxAuthorizationServer Server => sandbox.AuthorizationServer;

    /// <summary>The RFC 8707 resource the flows name; the sandbox MCP server unless a test changes it.</summary>
    public string Resource { get; set; } = sandbox.McpServerUrl.AbsoluteUri;

    public void Dispose() => Http.Dispose();

    public async Task<RegisteredClient> RegisterAsync(string authMethod = SandboxAuthMethods.None, string grantTypes = "\"authorization_code\",\"refresh_token\"")
    {
        var body = $$"""{"redirect_uris":["{{RedirectUri}}"],"token_endpoint_auth_method":"{{authMethod}}","grant_types":[{{grantTypes}}],"client_name":"test"}""";
        using var response = await Http.PostAsync(Server.RegistrationEndpoint, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var secret = json.RootElement.TryGetProperty("client_secret", out var s) ? s.GetString() : null;
        return new RegisteredClient(json.RootElement.GetProperty("client_id").GetString()!, secret, authMethod);
    }

    /// <summary>GETs the authorization URL with redirects off and returns the Location.</summary>
    public async Task<HttpResponseMessage> AuthorizeRawAsync(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var query = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return await Http.GetAsync(new Uri(Server.AuthorizationEndpoint + "?" + query));
    }

    public static List<KeyValuePair<string, string>> AuthorizeParameters(
        RegisteredClient client, Pkce pkce, string scope, string? resource, string state = "st-123") =>
        [
            new("response_type", "code"), new("client_id", client.ClientId), new("redirect_uri", RedirectUri),
            new("code_challenge", pkce.Challenge), new("code_challenge_method", "S256"), new("scope", scope), new("state", state),
            .. resource is null ? Array.Empty<KeyValuePair<string, string>>() : [new("resource", resource)],
        ];

    /// <summary>Authorizes and returns the code from the redirect (asserting state and iss).</summary>
    public async Task<string> GetCodeAsync(RegisteredClient client, Pkce pkce, string scope = "mcp:read", bool withResource = true)
    {
        using var response = await AuthorizeRawAsync(AuthorizeParameters(client, pkce, scope, withResource ? Resource : null));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = ParseQuery(response.Headers.Location!);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Server.IssuerIdentifier, query["iss"]);
        return query["code"];
    }

    public async Task<TokenAnswer> ExchangeCodeAsync(RegisteredClient client, string code, Pkce pkce, bool withResource = true)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", RedirectUri), new("code_verifier", pkce.Verifier),
        };
        if (withResource)
        {
            form.Add(new("resource", Resource));
        }
        return await PostTokenAsync(client, form);
    }

    public Task<TokenAnswer> RefreshAsync(RegisteredClient client, string refreshToken, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }
        return PostTokenAsync(client, form);
    }

    /// <summary>A full login: register (public client), authorize, exchange.</summary>
    public async Task<(RegisteredClient Client, TokenAnswer Tokens)> LoginAsync(string scope = "mcp:read")
    {
        var client = await RegisterAsync();
        var pkce = Pkce.Create();
        var code = await GetCodeAsync(client, pkce, scope);
        var tokens = await ExchangeCodeAsync(client, code, pkce);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return (client, tokens);
    }

    /// <summary>POSTs a form to <paramref name="endpoint"/> authenticating as the client's registered method.</summary>
    public async Task<TokenAnswer> PostFormAsync(Uri endpoint, RegisteredClient client, List<KeyValuePair<string, string>> form, string? asMethod = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var method = asMethod ?? client.AuthMethod;
        if (method == SandboxAuthMethods.ClientSecretBasic)
        {
            request.Headers.Authorization = Basic(client.ClientId, client.Secret!);
        }
        else
        {
            form.Add(new("client_id", client.ClientId));
            if (method == SandboxAuthMethods.ClientSecretPost)
            {
                form.Add(new("client_secret", client.Secret!));
            }
        }
        request.Content = new FormUrlEncodedContent(form);
        return await SendAsync(request);
    }

    public Task<TokenAnswer> PostTokenAsync(RegisteredClient client, List<KeyValuePair<string, string>> form, string? asMethod = null) =>
        PostFormAsync(Server.TokenEndpoint, client, form, asMethod);

    public async Task<TokenAnswer> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return new TokenAnswer(response.StatusCode, json, response.Headers.WwwAuthenticate.Select(h => h.ToString()).ToArray(),
            response.Headers.CacheControl?.NoStore ?? false);
    }

    /// <summary>RFC 6749 §2.3.1: form-encode id and secret, then base64 of <c>id:secret</c>.</summary>
    public static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(FormEncode(id) + ":" + FormEncode(secret))));

    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    public static Dictionary<string, string> ParseQuery(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""));
}

internal sealed record RegisteredClient(string ClientId, string? Secret, string AuthMethod);

internal sealed record TokenAnswer(HttpStatusCode Status, JsonElement Json, string[] WwwAuthenticate, bool NoStore)
{
    public string? Get(string name) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string AccessToken => Get("access_token") ?? throw new InvalidOperationException("no access_token: " + Json);

    public string RefreshToken => Get("refresh_token") ?? throw new InvalidOperationException("no refresh_token: " + Json);

    public string? Error => Get("error");
}

/// <summary>An RFC 7636 verifier and its S256 challenge.</summary>
internal sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce Create()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
