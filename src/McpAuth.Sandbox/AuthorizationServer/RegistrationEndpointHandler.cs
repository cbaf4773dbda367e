using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>The clients the authorization server knows, by <c>client_id</c>.</summary>
internal sealed class ClientRegistry(Action<string, string>? secretObserver = null)
{
    private readonly ConcurrentDictionary<string, SandboxClient> _clients = new(StringComparer.Ordinal);

    public SandboxClient? Find(string? clientId) =>
        clientId is not null && _clients.TryGetValue(clientId, out var client) ? client : null;

    public void Add(SandboxClient client)
    {
        if (!_clients.TryAdd(client.ClientId, client))
        {
            throw new InvalidOperationException("A client with this client_id is already registered.");
        }
        if (client.ClientSecret is not null)
        {
            secretObserver?.Invoke("client_secret", client.ClientSecret);
        }
    }

    public bool Remove(string clientId) => _clients.TryRemove(clientId, out _);

    public IReadOnlyCollection<SandboxClient> All => _clients.Values.ToArray();
}

/// <summary>
/// RFC 7591 dynamic client registration: open (no initial access token), clients kept in memory. Defaults per
/// §2: <c>token_endpoint_auth_method</c> <c>client_secret_basic</c>, <c>grant_types</c> <c>authorization_code</c>.
/// </summary>
internal static class RegistrationEndpointHandler
{
    public static Task HandleAsync(HttpContext context, SandboxAuthorizationServer server) =>
        RegistrationAccess.Refusal(context.Request, server.Options.Quirks) is { } refusal
            ? JsonResponses.OAuthErrorAsync(context, refusal)
            : HandleAsync(context, server.ClientTable, server.Options.TimeProvider);

    public static async Task HandleAsync(HttpContext context, ClientRegistry clients, TimeProvider time)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await JsonResponses.OAuthErrorAsync(context, OAuthError.InvalidRequest("content type must be application/json")).ConfigureAwait(false);
            return;
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await JsonResponses.OAuthErrorAsync(context, Metadata("body is not JSON")).ConfigureAwait(false);
            return;
        }
        using (document)
        {
            var client = Validate(document.RootElement, out var error);
            if (client is null)
            {
                await JsonResponses.OAuthErrorAsync(context, error!).ConfigureAwait(false);
                return;
            }
            clients.Add(client);
            JsonResponses.NoStore(context);
            await JsonResponses.WriteAsync(context, StatusCodes.Status201Created, writer => WriteClient(writer, client, time.GetUtcNow())).ConfigureAwait(false);
        }
    }

    internal static SandboxClient? Validate(JsonElement root, out OAuthError? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = Metadata("body is not a JSON object");
            return null;
        }
        if (FindWrongType(root) is { } member)
        {
            error = Metadata(member + " has the wrong JSON type");
            return null;
        }
        var method = ReadString(root, "token_endpoint_auth_method") ?? SandboxAuthMethods.ClientSecretBasic;
        var grantTypes = ReadStrings(root, "grant_types") ?? [SandboxGrantTypes.AuthorizationCode];
        var responseTypes = ReadStrings(root, "response_types") ?? ["code"];
        var redirectUris = ReadStrings(root, "redirect_uris") ?? [];
        error = !SandboxAuthMethods.All.Contains(method) ? Metadata("unsupported token_endpoint_auth_method")
            : grantTypes.Any(g => !SandboxGrantTypes.All.Contains(g)) ? Metadata("unsupported grant type")
            : responseTypes.Any(r => r != "code") ? Metadata("unsupported response type")
            : grantTypes.Contains(SandboxGrantTypes.ClientCredentials) && method == SandboxAuthMethods.None ? Metadata("client_credentials needs a confidential client")
            : grantTypes.Contains(SandboxGrantTypes.AuthorizationCode) && redirectUris.Length == 0 ? RedirectUri("redirect_uris is required for authorization_code")
            : redirectUris.Any(u => !AbsoluteUri.IsValidWithoutFragment(u)) ? RedirectUri("redirect URIs must be absolute, without fragment")
            : null;
        if (error is not null)
        {
            return null;
        }
        var secret = method == SandboxAuthMethods.None ? null : Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new SandboxClient(
            "sandbox-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)), secret, method, redirectUris, grantTypes,
            ReadString(root, "scope"), ReadString(root, "client_name"));
    }

    private static void WriteClient(Utf8JsonWriter writer, SandboxClient client, DateTimeOffset issuedAt)
    {
        writer.WriteString("client_id", client.ClientId);
        if (client.ClientSecret is not null)
        {
            writer.WriteString("client_secret", client.ClientSecret);
            writer.WriteNumber("client_secret_expires_at", 0);
        }
        writer.WriteNumber("client_id_issued_at", issuedAt.ToUnixTimeSeconds());
        writer.WriteString("token_endpoint_auth_method", client.TokenEndpointAuthMethod);
        writer.WriteStringArray("grant_types", client.GrantTypes);
        writer.WriteStringArray("response_types", ["code"]);
        writer.WriteStringArray("redirect_uris", client.RedirectUris);
        if (client.Scope is not null)
        {
            writer.WriteString("scope", client.Scope);
        }
        if (client.ClientName is not null)
        {
            writer.WriteString("client_name", client.ClientName);
        }
    }

    private static string? FindWrongType(JsonElement root)
    {
        string[] strings = ["token_endpoint_auth_method", "scope", "client_name"];
        string[] arrays = ["grant_types", "response_types", "redirect_uris"];
        foreach (var name in strings)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
            {
                return name;
            }
        }
        foreach (var name in arrays)
        {
            if (root.TryGetProperty(name, out var value)
                && (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)))
            {
                return name;
            }
        }
        return null;
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[]? ReadStrings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : null;

    private static OAuthError Metadata(string description) => new("invalid_client_metadata", description);

    private static OAuthError RedirectUri(string description) => new("invalid_redirect_uri", description);
}
