using System.Text.Json;

namespace McpAuth.Storage;

/// <summary>The reading and writing steps shared by the records of <see cref="StoredRecordCodec"/>.</summary>
internal static partial class StoredRecordCodec
{
    private static void StartDocument(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The entry is empty.");
        }
        ExpectStartObject(ref reader);
    }

    /// <summary>After the top-level object: nothing but whitespace may follow (the reader throws on other content).</summary>
    private static void EndDocument(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("The entry has content after its value.");
        }
    }

    private static void ExpectStartObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object.");
        }
    }

    /// <summary>Moves to the next member's value and returns its name; null at the end of the object.</summary>
    private static string? NextMember(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            return null;
        }
        var name = reader.GetString();
        if (!reader.Read())
        {
            throw new JsonException("The entry ends inside a member.");
        }
        return name;
    }

    private static string RequiredString(ref Utf8JsonReader reader) =>
        OptionalString(ref reader) ?? throw new JsonException("A required member is null.");

    private static string? OptionalString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string."),
    };

    private static long ReadInt64(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw new JsonException("Expected an integer.");

    private static DateTimeOffset ReadDate(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)
            ? value
            : throw new JsonException("Expected an ISO 8601 date.");

    /// <summary>Enum names as the serializer's string enum converter reads them (names in any case, or the number).</summary>
    private static CredentialState ReadState(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) && number is >= 0 and <= (int)CredentialState.Released)
        {
            return (CredentialState)number;
        }
        return (reader.TokenType == JsonTokenType.String ? reader.GetString()!.ToUpperInvariant() : null) switch
        {
            "VALID" => CredentialState.Valid,
            "EXPIRING" => CredentialState.Expiring,
            "REFRESHING" => CredentialState.Refreshing,
            "NEEDSREAUTHORIZATION" => CredentialState.NeedsReauthorization,
            "RELEASED" => CredentialState.Released,
            _ => throw new JsonException("Unknown credential state."),
        };
    }

    /// <summary>One JSON object, its members written by <paramref name="members"/>, compact and UTF-8.</summary>
    private static byte[] WriteObject<T>(T record, Action<Utf8JsonWriter, T> members)
        where T : class
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer, record);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static JsonException Missing(string member) => new($"The required member '{member}' is missing.");
}
