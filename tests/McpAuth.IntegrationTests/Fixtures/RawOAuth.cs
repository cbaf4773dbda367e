using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>A token endpoint answer as raw JSON, with its status and DPoP-Nonce header (RFC 9449 §8).</summary>
public sealed record RawTokenResponse(int Status, JsonElement Body, string? DpopNonce = null)
{
    /// <summary>A string member of the body, or null.</summary>
    public string? this[string name] => Body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// Plain OAuth requests for the fixtures' smoke tests, which must not depend on the McpAuth engine: read metadata,
/// register, make PKCE pairs, call the token, introspection and revocation endpoints. Test code only.
/// </summary>
public sealed class RawOAuth(Uri issuer) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };
    private JsonElement? _metadata;

    /// <summary>The RFC 8414 metadata document (fetched once).</summary>
    public async Task<JsonElement> MetadataAsync() =>
        _metadata ??= await GetJsonAsync(new Uri(issuer, "/.well-known/oauth-authorization-server"));

    /// <summary>One endpoint URL from the metadata.</summary>
    public async Task<Uri> EndpointAsync(string name) => new((await MetadataAsync()).GetProperty(name).GetString()!);

    /// <summary>Registers a client (RFC 7591) and returns the registration response.</summary>
    public async Task<JsonElement> RegisterAsync(object metadata)
    {
        using var response = await _http.PostAsync(
            await EndpointAsync("registration_endpoint"),
            new StringContent(JsonSerializer.Serialize(metadata), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.Clone()
            : throw new InvalidOperationException($"Registration failed with {(int)response.StatusCode}: {body}");
    }

    /// <summary>Registers a public native client (auth method none) for the code and refresh grants; returns its id.</summary>
    public async Task<string> RegisterPublicClientAsync(Uri redirectUri, string clientName = "McpAuth test")
    {
        var registration = await RegisterAsync(new Dictionary<string, object>
        {
            ["redirect_uris"] = new[] { redirectUri.AbsoluteUri },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = "none",
            ["application_type"] = "native",
            ["client_name"] = clientName,
        });
        return registration.GetProperty("client_id").GetString()!;
    }

    /// <summary>An authorization request URL (RFC 6749 §4.1.1) with PKCE S256 and a resource indicator (RFC 8707).</summary>
    public async Task<Uri> AuthorizationUrlAsync(
        string clientId, Uri redirectUri, string codeChallenge, string scope, string resource, string state)
    {
        using var query = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["scope"] = scope, ["resource"] = resource, ["state"] = state,
            ["code_challenge"] = codeChallenge, ["code_challenge_method"] = "S256",
        });
        return new Uri($"{await EndpointAsync("authorization_endpoint")}?{await query.ReadAsStringAsync()}");
    }

    /// <summary>Redeems the code of a callback URL for a public client (RFC 6749 §4.1.3, RFC 7636 §4.5).</summary>
    public Task<RawTokenResponse> RedeemCodeAsync(string clientId, Uri redirectUri, Uri callback, string codeVerifier) =>
        TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["code"] = HeadlessAuthorization.QueryParameter(callback, "code") ?? throw new InvalidOperationException($"No code in the callback: {callback.Query}"),
            ["code_verifier"] = codeVerifier,
        });

    /// <summary>A refresh request for a public client (RFC 6749 §6).</summary>
    public Task<RawTokenResponse> RefreshAsync(string clientId, string refreshToken) =>
        TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = refreshToken,
        });

    /// <summary>Whether introspection (by the issuing public client) says the token is active.</summary>
    public async Task<bool> IsActiveAsync(string clientId, string token) =>
        (await IntrospectAsync(new Dictionary<string, string> { ["token"] = token, ["client_id"] = clientId }))
            .Body.GetProperty("active").GetBoolean();

    /// <summary>A PKCE verifier and its S256 challenge (RFC 7636 §4.1, §4.2).</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>A form POST to the token endpoint, with Basic client credentials when a secret is given.</summary>
    public async Task<RawTokenResponse> TokenAsync(
        IDictionary<string, string> form, string? clientId = null, string? clientSecret = null, string? dpopProof = null) =>
        await PostFormAsync(await EndpointAsync("token_endpoint"), form, clientId, clientSecret, dpopProof);

    /// <summary>RFC 7662 introspection.</summary>
    public async Task<RawTokenResponse> IntrospectAsync(IDictionary<string, string> form, string? clientId = null, string? clientSecret = null) =>
        await PostFormAsync(await EndpointAsync("introspection_endpoint"), form, clientId, clientSecret);

    /// <summary>RFC 7009 revocation.</summary>
    public async Task<int> RevokeAsync(IDictionary<string, string> form)
    {
        using var response = await _http.PostAsync(await EndpointAsync("revocation_endpoint"), new FormUrlEncodedContent(form));
        return (int)response.StatusCode;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>A form POST to any endpoint (device authorization, ...), with Basic client credentials when a secret is given.</summary>
    public async Task<RawTokenResponse> PostFormAsync(
        Uri endpoint, IDictionary<string, string> form, string? clientId = null, string? clientSecret = null, string? dpopProof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        if (dpopProof is not null)
        {
            request.Headers.Add("DPoP", dpopProof);
        }

        if (clientSecret is not null)
        {
            var basic = $"{Uri.EscapeDataString(clientId!)}:{Uri.EscapeDataString(clientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var nonce = response.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.FirstOrDefault() : null;
        return new RawTokenResponse((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), nonce);
    }

    private async Task<JsonElement> GetJsonAsync(Uri url)
    {
        var body = await _http.GetStringAsync(url);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Base64url without padding (RFC 7515 §2).</summary>
    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
