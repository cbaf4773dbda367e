using System.Text.Json;

namespace McpAuth.Storage;

/// <summary>
/// The records a process reads when it starts with stored credentials, besides the credential itself: the client
/// registration (<see cref="StoredRegistration"/>) and the discovery result (<see cref="DiscoveryRecord"/>). Same bytes
/// and rules as <see cref="StoreJsonContext"/> (members in declaration order, nulls left out, a missing required member
/// or a null where a value is required is a <see cref="JsonException"/>).
/// </summary>
internal static partial class StoredRecordCodec
{
    public static byte[] WriteRegistration(StoredRegistration registration) => WriteObject(registration, static (writer, r) =>
    {
        writer.WriteString("issuer", r.Issuer);
        writer.WriteString("redirect_uri", r.RedirectUri);
        writer.WriteString("client_id", r.ClientId);
        WriteOptional(writer, "client_secret", r.ClientSecret);
        writer.WriteString("token_endpoint_auth_method", r.TokenEndpointAuthMethod);
        writer.WriteString("source", r.Source);
        if (r.ClientSecretExpiresAt is { } expiresAt)
        {
            writer.WriteString("client_secret_expires_at", expiresAt);
        }
        writer.WriteString("registered_at", r.RegisteredAt);
        WriteOptional(writer, "registration_client_uri", r.RegistrationClientUri);
        WriteOptional(writer, "registration_access_token", r.RegistrationAccessToken);
        writer.WriteBoolean("unconfirmed", r.Unconfirmed);
    });

    /// <exception cref="JsonException">The bytes are not a client registration.</exception>
    public static StoredRegistration ReadRegistration(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        StartDocument(ref reader);
        string? issuer = null, redirectUri = null, clientId = null, secret = null, clientUri = null, accessToken = null;
        var authMethod = "none";
        var source = "dcr";
        DateTimeOffset? secretExpiresAt = null;
        DateTimeOffset registeredAt = default;
        var unconfirmed = false;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case "issuer": issuer = RequiredString(ref reader); break;
                case "redirect_uri": redirectUri = RequiredString(ref reader); break;
                case "client_id": clientId = RequiredString(ref reader); break;
                case "client_secret": secret = OptionalString(ref reader); break;
                case "token_endpoint_auth_method": authMethod = RequiredString(ref reader); break;
                case "source": source = RequiredString(ref reader); break;
                case "client_secret_expires_at": secretExpiresAt = reader.TokenType == JsonTokenType.Null ? null : ReadDate(ref reader); break;
                case "registered_at": registeredAt = ReadDate(ref reader); break;
                case "registration_client_uri": clientUri = OptionalString(ref reader); break;
                case "registration_access_token": accessToken = OptionalString(ref reader); break;
                case "unconfirmed": unconfirmed = reader.TokenType == JsonTokenType.True; reader.Skip(); break;
                default: reader.Skip(); break;
            }
        }
        EndDocument(ref reader);
        return new StoredRegistration
        {
            Issuer = issuer ?? throw Missing("issuer"),
            RedirectUri = redirectUri ?? throw Missing("redirect_uri"),
            ClientId = clientId ?? throw Missing("client_id"),
            ClientSecret = secret, TokenEndpointAuthMethod = authMethod, Source = source, ClientSecretExpiresAt = secretExpiresAt,
            RegisteredAt = registeredAt, RegistrationClientUri = clientUri, RegistrationAccessToken = accessToken,
            Unconfirmed = unconfirmed,
        };
    }

    public static byte[] WriteDiscovery(DiscoveryRecord record) => WriteObject(record, static (writer, r) =>
    {
        writer.WriteString("resource", r.Resource);
        WriteOptional(writer, "resource_metadata_url", r.ResourceMetadataUrl);
        writer.WriteString("issuer", r.Issuer);
        WriteOptional(writer, "authorization_server_metadata_url", r.AuthorizationServerMetadataUrl);
        WriteOptional(writer, "binding_resource", r.BindingResource);
        writer.WriteString("discovered_at", r.DiscoveredAt);
    });

    /// <exception cref="JsonException">The bytes are not a discovery record.</exception>
    public static DiscoveryRecord ReadDiscovery(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        StartDocument(ref reader);
        string? resource = null, metadataUrl = null, issuer = null, serverMetadataUrl = null, bindingResource = null;
        DateTimeOffset discoveredAt = default;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case "resource": resource = RequiredString(ref reader); break;
                case "resource_metadata_url": metadataUrl = OptionalString(ref reader); break;
                case "issuer": issuer = RequiredString(ref reader); break;
                case "authorization_server_metadata_url": serverMetadataUrl = OptionalString(ref reader); break;
                case "binding_resource": bindingResource = OptionalString(ref reader); break;
                case "discovered_at": discoveredAt = ReadDate(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        EndDocument(ref reader);
        return new DiscoveryRecord
        {
            Resource = resource ?? throw Missing("resource"),
            ResourceMetadataUrl = metadataUrl,
            Issuer = issuer ?? throw Missing("issuer"),
            AuthorizationServerMetadataUrl = serverMetadataUrl, BindingResource = bindingResource, DiscoveredAt = discoveredAt,
        };
    }
}
