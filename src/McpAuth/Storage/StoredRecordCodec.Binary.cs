using System.Text;

namespace McpAuth.Storage;

/// <summary>
/// The stored credential in its binary form, which every write produces: <c>mcpauth token</c> reads one on every call,
/// and decoding it with <see cref="BinaryReader"/> costs a starting process about a millisecond where loading
/// System.Text.Json's reader costs about eight. Entries written as JSON by earlier versions are still read
/// (<see cref="ReadCredential"/> tells the two apart by the first byte: JSON never starts with 0).
/// </summary>
/// <remarks>
/// Layout (version 2; version 1 lacks the last member): <c>0x00 0x02</c>, then in order the binding (profile, resource, issuer, client id), the tokens
/// (access token, token type, refresh token?, expires at?, scope?, ID token?, extras?), the token endpoint, state (one
/// byte), generation, the endpoint auth method?, revocation endpoint?, revocation auth method?, DPoP private JWK?, and
/// updated at, and the tokens' issued at? (version 2). Strings are <see cref="BinaryWriter"/>'s length-prefixed UTF-8; <c>?</c> marks a presence byte before the
/// value; a date is its UTC ticks and its offset in minutes; extras are a count and name/value pairs. A later version
/// may append members: readers ignore bytes after the ones they know, as they ignore unknown JSON members.
/// The entry is authenticated by the store's AES-GCM, so damage here means a bug or a forged key, and is reported as
/// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> all the same.
/// </remarks>
internal static partial class StoredRecordCodec
{
    private const byte BinaryMarker = 0x00;
    private const byte BinaryVersion = 2;

    /// <summary>The first layout, without the tokens' issued at: still read.</summary>
    private const byte BinaryVersionWithoutIssuedAt = 1;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] WriteCredential(StoredCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        using var buffer = new MemoryStream(512);
        using (var writer = new BinaryWriter(buffer, StrictUtf8, leaveOpen: true))
        {
            writer.Write(BinaryMarker);
            writer.Write(BinaryVersion);
            var b = credential.Binding;
            writer.Write(b.Profile);
            writer.Write(b.Resource);
            writer.Write(b.Issuer);
            writer.Write(b.ClientId);
            var t = credential.Tokens;
            writer.Write(t.AccessToken);
            writer.Write(t.TokenType);
            WriteOptional(writer, t.RefreshToken);
            WriteOptional(writer, t.ExpiresAt);
            WriteOptional(writer, t.Scope);
            WriteOptional(writer, t.IdToken);
            WriteExtras(writer, t.Extras);
            writer.Write(credential.TokenEndpoint);
            writer.Write((byte)credential.State);
            writer.Write(credential.Generation);
            WriteOptional(writer, credential.TokenEndpointAuthMethod);
            WriteOptional(writer, credential.RevocationEndpoint);
            WriteOptional(writer, credential.RevocationEndpointAuthMethod);
            WriteOptional(writer, credential.DPoPPrivateJwk);
            WriteDate(writer, credential.UpdatedAt);
            WriteOptional(writer, t.IssuedAt);
        }
        return buffer.ToArray();
    }

    /// <summary>A stored credential, binary (current) or JSON (written by earlier versions).</summary>
    /// <exception cref="FormatException">The bytes are not a stored credential (the vault reports StoreEntryCorrupt).</exception>
    /// <exception cref="System.Text.Json.JsonException">A JSON entry is damaged.</exception>
    public static StoredCredential ReadCredential(ReadOnlySpan<byte> entry) =>
        entry.Length > 0 && entry[0] == BinaryMarker ? ReadBinaryCredential(entry.ToArray()) : ReadJsonCredential(entry);

    private static StoredCredential ReadBinaryCredential(byte[] entry)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(entry, writable: false), StrictUtf8);
            reader.ReadByte();
            var version = reader.ReadByte();
            if (version is not (BinaryVersion or BinaryVersionWithoutIssuedAt))
            {
                throw new FormatException("Unknown stored credential version.");
            }
            var binding = new CredentialBinding(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
            var tokens = new TokenSet
            {
                AccessToken = reader.ReadString(), TokenType = reader.ReadString(), RefreshToken = ReadOptionalString(reader),
                ExpiresAt = ReadOptionalDate(reader), Scope = ReadOptionalString(reader), IdToken = ReadOptionalString(reader),
                Extras = ReadExtras(reader),
            };
            var credential = new StoredCredential
            {
                Binding = binding, Tokens = tokens, TokenEndpoint = reader.ReadString(), State = ReadState(reader),
                Generation = reader.ReadInt64(), TokenEndpointAuthMethod = ReadOptionalString(reader),
                RevocationEndpoint = ReadOptionalString(reader), RevocationEndpointAuthMethod = ReadOptionalString(reader),
                DPoPPrivateJwk = ReadOptionalString(reader), UpdatedAt = ReadDate(reader),
            };
            return version == BinaryVersion ? credential with { Tokens = tokens with { IssuedAt = ReadOptionalDate(reader) } } : credential;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or DecoderFallbackException or ArgumentOutOfRangeException)
        {
            throw new FormatException("The stored credential is damaged.", e);
        }
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static void WriteOptional(BinaryWriter writer, DateTimeOffset? value)
    {
        writer.Write(value.HasValue);
        if (value is { } date)
        {
            WriteDate(writer, date);
        }
    }

    private static void WriteDate(BinaryWriter writer, DateTimeOffset value)
    {
        writer.Write(value.UtcTicks);
        writer.Write((short)value.TotalOffsetMinutes);
    }

    private static void WriteExtras(BinaryWriter writer, IReadOnlyDictionary<string, string>? extras)
    {
        writer.Write(extras?.Count ?? -1);
        foreach (var (name, value) in extras ?? new Dictionary<string, string>())
        {
            writer.Write(name);
            writer.Write(value);
        }
    }

    private static string? ReadOptionalString(BinaryReader reader) => ReadPresence(reader) ? reader.ReadString() : null;

    private static DateTimeOffset? ReadOptionalDate(BinaryReader reader) => ReadPresence(reader) ? ReadDate(reader) : null;

    private static bool ReadPresence(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw new FormatException("A presence byte is neither 0 nor 1."),
    };

    /// <exception cref="ArgumentOutOfRangeException">Ticks or offset out of range (mapped to FormatException by the caller).</exception>
    private static DateTimeOffset ReadDate(BinaryReader reader)
    {
        var utcTicks = reader.ReadInt64();
        var offset = TimeSpan.FromMinutes(reader.ReadInt16());
        return new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(offset);
    }

    private static Dictionary<string, string>? ReadExtras(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count == -1)
        {
            return null;
        }
        if (count < 0 || count > reader.BaseStream.Length)
        {
            throw new FormatException("The extras count is out of range.");
        }
        var extras = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            extras[reader.ReadString()] = reader.ReadString();
        }
        return extras;
    }

    private static CredentialState ReadState(BinaryReader reader)
    {
        var state = reader.ReadByte();
        return state <= (byte)CredentialState.Released ? (CredentialState)state : throw new FormatException("Unknown credential state.");
    }
}
