using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpAuth.Sandbox;

/// <summary>
/// Validates bearer tokens by asking an RFC 7662 introspection endpoint (for example oidc-provider's), authenticating
/// with <c>client_secret_basic</c> (RFC 6749 §2.3.1 encoding). One introspection request per MCP request, no cache,
/// so request counts stay honest.
/// </summary>
public sealed class IntrospectionTokenValidator(HttpClient httpClient, Uri introspectionEndpoint, string clientId, string clientSecret) : ITokenValidator
{
    /// <inheritdoc />
    /// <exception cref="HttpRequestException">The endpoint did not answer 200 with a JSON object.</exception>
    public async ValueTask<SandboxTokenInfo?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, introspectionEndpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
        };
        var credentials = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Introspection answered {(int)response.StatusCode}.", null, response.StatusCode);
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Parse(body);
    }

    /// <summary>RFC 7662 §2.2: <c>active</c>, then <c>scope</c>, <c>sub</c>, <c>client_id</c>, <c>aud</c> (string or array), <c>exp</c>.</summary>
    internal static SandboxTokenInfo? Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException exception)
        {
            throw new HttpRequestException("Introspection answered a body that is not JSON.", exception);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new HttpRequestException("Introspection answered JSON that is not an object.");
            }
            if (!root.TryGetProperty("active", out var active) || active.ValueKind != JsonValueKind.True)
            {
                return null;
            }
            return new SandboxTokenInfo(
                String(root, "sub"),
                String(root, "client_id"),
                String(root, "scope")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
                Audiences(root),
                root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] Audiences(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return [];
        }
        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray(),
            _ => [],
        };
    }
}
