using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>Client metadata for dynamic client registration (RFC 7591 §2), the members McpAuth sends.</summary>
/// <param name="RedirectUris">Redirect URIs; loopback ones make the client <c>native</c> (OpenID Dynamic Registration §2).</param>
/// <param name="TokenEndpointAuthMethod">The method the client will authenticate with (RFC 7591 §2).</param>
/// <param name="ClientName">A human-readable name.</param>
/// <param name="GrantTypes">Grant types; default authorization_code and refresh_token.</param>
/// <param name="Scope">Scopes the client may ask for, when known.</param>
public sealed record ClientRegistrationRequest(
    IReadOnlyList<Uri> RedirectUris,
    string TokenEndpointAuthMethod,
    string? ClientName = null,
    IReadOnlyList<string>? GrantTypes = null,
    string? Scope = null)
{
    /// <summary><c>native</c> when every redirect URI is loopback, else <c>web</c>.</summary>
    public string ApplicationType =>
        RedirectUris.Count > 0 && RedirectUris.All(Loopback.IsLoopback) ? "native" : "web";
}

/// <summary>A client information response (RFC 7591 §3.2.1).</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret, for confidential clients. Secret.</param>
/// <param name="TokenEndpointAuthMethod">How the client authenticates at the token endpoint.</param>
/// <param name="ClientSecretExpiresAt">When the secret expires; null when never.</param>
/// <param name="RegistrationClientUri">RFC 7592 §3: where the client's registration can be managed (and deleted).</param>
/// <param name="RegistrationAccessToken">RFC 7592 §3: the bearer token for that URI. Secret.</param>
public sealed record ClientRegistrationResponse(
    string ClientId,
    string? ClientSecret,
    string? TokenEndpointAuthMethod,
    DateTimeOffset? ClientSecretExpiresAt,
    Uri? RegistrationClientUri = null,
    string? RegistrationAccessToken = null)
{
    /// <summary>Never prints the client secret or the registration access token.</summary>
    public override string ToString() => $"ClientRegistrationResponse {{ ClientId = {ClientId} }}";
}

/// <summary>
/// Dynamic client registration (RFC 7591): build the request body, read the response; and the deletion of a
/// registration (RFC 7592 §2.3).
/// </summary>
public static class ClientRegistration
{
    private static Uri? OptionalManagementUri(JsonElement json)
    {
        try
        {
            return OAuthJson.OptionalUri(json, "registration_client_uri");
        }
        catch (McpAuthException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the answer to <c>DELETE</c> on the registration client URI (RFC 7592 §2.3): 204 No Content (or any other
    /// 2xx) is success. A 401 means the token is no longer valid or the client no longer exists (§2.3: "If the client
    /// does not exist on this server, the server MUST respond with HTTP 401"); it is reported like any other failure,
    /// through the shared classifier.
    /// </summary>
    /// <exception cref="McpAuthException">The classified failure.</exception>
    public static void ReadDeleteResponse(OAuthResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess)
        {
            throw OAuthResponseReader.Classify(response, "registration deletion response");
        }
    }

    /// <summary>The JSON body of a registration request (RFC 7591 §3.1).</summary>
    public static byte[] BuildBody(ClientRegistrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("redirect_uris");
            foreach (var uri in request.RedirectUris)
            {
                writer.WriteStringValue(uri.OriginalString);
            }
            writer.WriteEndArray();
            writer.WriteString("token_endpoint_auth_method", request.TokenEndpointAuthMethod);
            writer.WriteStartArray("grant_types");
            foreach (var grant in request.GrantTypes ?? ["authorization_code", "refresh_token"])
            {
                writer.WriteStringValue(grant);
            }
            writer.WriteEndArray();
            writer.WriteStartArray("response_types");
            writer.WriteStringValue("code");
            writer.WriteEndArray();
            writer.WriteString("application_type", request.ApplicationType);
            if (request.ClientName is not null)
            {
                writer.WriteString("client_name", request.ClientName);
            }
            if (request.Scope is not null)
            {
                writer.WriteString("scope", request.Scope);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads a registration response (RFC 7591 §3.2.1 success, §3.2.2 error).</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.RegistrationFailed"/> carrying the server's error; <see cref="McpAuthErrorCode.InvalidResponse"/>
    /// for a malformed success; transport errors as classified.
    /// </exception>
    public static ClientRegistrationResponse Read(OAuthResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        JsonElement json;
        try
        {
            json = OAuthResponseReader.ReadJson(response, "registration response", 200, 201);
        }
        catch (McpAuthException e) when (e.OAuthError is not null)
        {
            throw new McpAuthException(McpAuthErrorCode.RegistrationFailed, "registration endpoint", e)
            {
                StatusCode = e.StatusCode,
                OAuthError = e.OAuthError,
                OAuthErrorDescription = e.OAuthErrorDescription,
                Endpoint = e.Endpoint,
            };
        }
        return ResponseMembers.Read(response, () =>
        {
            // RFC 7591 §3.2.1: 0 means the secret never expires.
            var expiresAt = ResponseMembers.OptionalNumericDate(json, "client_secret_expires_at");
            // RFC 7592 §3: the two come together; one without the other, or a URI that is not http(s), cannot be used
            // and is dropped (the registration itself stands: management is optional).
            var clientUri = OptionalManagementUri(json);
            var accessToken = OAuthJson.OptionalString(json, "registration_access_token");
            var manageable = clientUri is not null && !string.IsNullOrEmpty(accessToken);
            return new ClientRegistrationResponse(
                OAuthJson.RequiredString(json, "client_id"),
                OAuthJson.OptionalString(json, "client_secret"),
                OAuthJson.OptionalString(json, "token_endpoint_auth_method"),
                expiresAt > DateTimeOffset.UnixEpoch ? expiresAt : null,
                manageable ? clientUri : null,
                manageable ? accessToken : null);
        });
    }
}
