using System.Text.Json;

namespace McpAuth.Storage;

/// <summary>
/// Hand-written JSON for the records a starting process reads (the <see cref="ActiveClientRecord"/> here, registrations
/// and discovery records in <c>StoredRecordCodec.Clients.cs</c>, and credentials as earlier versions wrote them; new
/// credentials are binary, <c>StoredRecordCodec.Binary.cs</c>). The source-generated serializer instantiates System.Text.Json generics over
/// <c>long</c>, <c>DateTimeOffset?</c> and enums, which ReadyToRun cannot precompile, so a short-lived process spent
/// most of its start JIT-compiling them. The bytes are the ones <see cref="StoreJsonContext"/> writes (snake_case names,
/// null members left out, enum names), so both read each other's entries.
/// </summary>
/// <remarks>
/// Reading follows the serializer's rules: unknown members are ignored, a missing required member, a null where a value
/// is required, a wrong value kind or malformed JSON is a <see cref="JsonException"/> (the vault reports it as
/// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/>).
/// </remarks>
internal static partial class StoredRecordCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>A credential entry as JSON, as versions before the binary form wrote it.</summary>
    /// <exception cref="JsonException">The bytes are not a stored credential.</exception>
    private static StoredCredential ReadJsonCredential(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        StartDocument(ref reader);
        CredentialBinding? binding = null;
        TokenSet? tokens = null;
        string? tokenEndpoint = null, tokenAuth = null, revocation = null, revocationAuth = null, dpop = null;
        var state = CredentialState.Valid;
        long generation = 0;
        DateTimeOffset updatedAt = default;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case "binding": binding = ReadBinding(ref reader); break;
                case "tokens": tokens = ReadTokens(ref reader); break;
                case "token_endpoint": tokenEndpoint = RequiredString(ref reader); break;
                case "state": state = ReadState(ref reader); break;
                case "generation": generation = ReadInt64(ref reader); break;
                case "token_endpoint_auth_method": tokenAuth = OptionalString(ref reader); break;
                case "revocation_endpoint": revocation = OptionalString(ref reader); break;
                case "revocation_endpoint_auth_method": revocationAuth = OptionalString(ref reader); break;
                case "d_po_p_private_jwk": dpop = OptionalString(ref reader); break;
                case "updated_at": updatedAt = ReadDate(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        EndDocument(ref reader);
        return new StoredCredential
        {
            Binding = binding ?? throw Missing("binding"),
            Tokens = tokens ?? throw Missing("tokens"),
            TokenEndpoint = tokenEndpoint ?? throw Missing("token_endpoint"),
            State = state, Generation = generation, TokenEndpointAuthMethod = tokenAuth, RevocationEndpoint = revocation,
            RevocationEndpointAuthMethod = revocationAuth, DPoPPrivateJwk = dpop, UpdatedAt = updatedAt,
        };
    }

    public static byte[] WriteActiveClient(ActiveClientRecord record) => WriteObject(record, static (writer, record) =>
    {
        writer.WriteString("profile", record.Profile);
        writer.WriteString("resource", record.Resource);
        writer.WriteString("issuer", record.Issuer);
        writer.WriteString("client_id", record.ClientId);
    });

    /// <exception cref="JsonException">The bytes are not an active-client record.</exception>
    public static ActiveClientRecord ReadActiveClient(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        StartDocument(ref reader);
        var (profile, resource, issuer, clientId) = ReadFourStrings(ref reader);
        EndDocument(ref reader);
        return new ActiveClientRecord(profile, resource, issuer, clientId);
    }

    private static CredentialBinding ReadBinding(ref Utf8JsonReader reader)
    {
        ExpectStartObject(ref reader);
        var (profile, resource, issuer, clientId) = ReadFourStrings(ref reader);
        return new CredentialBinding(profile, resource, issuer, clientId);
    }

    /// <summary>The members of a binding and of an active-client record (the reader is inside the object).</summary>
    private static (string Profile, string Resource, string Issuer, string ClientId) ReadFourStrings(ref Utf8JsonReader reader)
    {
        string? profile = null, resource = null, issuer = null, clientId = null;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case "profile": profile = RequiredString(ref reader); break;
                case "resource": resource = RequiredString(ref reader); break;
                case "issuer": issuer = RequiredString(ref reader); break;
                case "client_id": clientId = RequiredString(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return (profile ?? throw Missing("profile"), resource ?? throw Missing("resource"), issuer ?? throw Missing("issuer"),
            clientId ?? throw Missing("client_id"));
    }

    private static TokenSet ReadTokens(ref Utf8JsonReader reader)
    {
        ExpectStartObject(ref reader);
        string? access = null, refresh = null, scope = null, idToken = null;
        var type = "Bearer";
        DateTimeOffset? expiresAt = null, issuedAt = null;
        Dictionary<string, string>? extras = null;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case "access_token": access = RequiredString(ref reader); break;
                case "token_type": type = RequiredString(ref reader); break;
                case "refresh_token": refresh = OptionalString(ref reader); break;
                case "expires_at": expiresAt = reader.TokenType == JsonTokenType.Null ? null : ReadDate(ref reader); break;
                case "issued_at": issuedAt = reader.TokenType == JsonTokenType.Null ? null : ReadDate(ref reader); break;
                case "scope": scope = OptionalString(ref reader); break;
                case "id_token": idToken = OptionalString(ref reader); break;
                case "extras": extras = ReadExtras(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new TokenSet
        {
            AccessToken = access ?? throw Missing("access_token"), TokenType = type, RefreshToken = refresh, ExpiresAt = expiresAt,
            Scope = scope, IdToken = idToken, Extras = extras, IssuedAt = issuedAt,
        };
    }

    private static Dictionary<string, string>? ReadExtras(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        ExpectStartObject(ref reader);
        var extras = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextMember(ref reader) is { } name)
        {
            extras[name] = RequiredString(ref reader);
        }
        return extras;
    }
}
