using System.Text.Json.Serialization;

namespace McpAuth.Storage;

/// <summary>
/// Source-generated serialization of stored records (trimming- and AOT-safe): the one encoding of every entry the
/// vault writes, each inside a <see cref="StoredEntry{T}"/> (see <see cref="StoredEntryCodec"/> for the format rules).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    // A damaged entry with "client_id": null, or a binding without its resource, is corrupt: not a record with a null id.
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(StoredEntryHeader))]
[JsonSerializable(typeof(StoredEntry<StoredCredential>))]
[JsonSerializable(typeof(StoredEntry<StoredRegistration>))]
[JsonSerializable(typeof(StoredEntry<DiscoveryRecord>))]
[JsonSerializable(typeof(StoredEntry<ActiveClientRecord>))]
[JsonSerializable(typeof(StoredEntry<IdentityTokenRecord>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;

/// <summary>The client id in use for (profile, resource, issuer), so callers that know only the server find the token.</summary>
public sealed record ActiveClientRecord(string Profile, string Resource, string Issuer, string ClientId);

/// <summary>
/// An identity provider's ID token kept for enterprise-managed authorization. <c>ExpiresAt</c> is optional (null for an
/// opaque token): a null is not written, so it must not be a required constructor parameter.
/// </summary>
public sealed record IdentityTokenRecord(string Profile, string IdpIssuer, string IdToken, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>Names no ID token.</summary>
    public override string ToString() => $"IdentityTokenRecord {{ Profile = {Profile}, IdpIssuer = {IdpIssuer}, ExpiresAt = {ExpiresAt:O} }}";
}
