using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// Reads JSON objects from OAuth responses. Unknown members are ignored; a missing required member, a wrong type or
/// a body that is not a JSON object is an <see cref="McpAuthErrorCode.InvalidResponse"/> naming the member, never
/// quoting the body.
/// </summary>
internal static class OAuthJson
{
    /// <summary>No OAuth document nests deeply; a deep one is hostile.</summary>
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Parses <paramref name="utf8"/> as a JSON object.</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidResponse"/> when it is not one.</exception>
    public static JsonElement ParseObject(ReadOnlyMemory<byte> utf8, string what)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            // JsonDocument checks structure, not the bytes inside strings; GetString would throw later.
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"{what} is not valid UTF-8 JSON");
        }
        try
        {
            using var document = JsonDocument.Parse(utf8, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"{what} is not a JSON object");
            }
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"{what} is not valid JSON", e);
        }
        catch (ArgumentException e)
        {
            // Invalid UTF-8 surfaces as ArgumentException from some paths.
            throw new McpAuthException(McpAuthErrorCode.InvalidResponse, $"{what} is not valid UTF-8 JSON", e);
        }
    }

    public static string RequiredString(JsonElement obj, string name) =>
        OptionalString(obj, name) ?? throw Missing(name);

    public static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? Text(value, name) : throw WrongType(name, "a string");
    }

    /// <summary>A string value; an escaped lone surrogate (<c>"\udc00"</c>) cannot become text and is a wrong type.</summary>
    internal static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw WrongType(name, "valid Unicode text");
        }
    }

    public static Uri RequiredUri(JsonElement obj, string name) => OptionalUri(obj, name) ?? throw Missing(name);

    public static Uri? OptionalUri(JsonElement obj, string name)
    {
        var text = OptionalString(obj, name);
        if (text is null)
        {
            return null;
        }
        // On Unix, Uri.TryCreate takes "/path" as an absolute file: URI; OAuth documents only carry http(s) URLs.
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw WrongType(name, "an absolute http or https URL");
    }

    public static IReadOnlyList<string>? OptionalStringArray(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(name, "an array of strings");
        }
        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw WrongType(name, "an array of strings");
            }
            list.Add(Text(item, name));
        }
        return list;
    }

    /// <summary>
    /// Reads an integer; numeric strings are accepted because several servers send <c>"3600"</c> (NetSuite among
    /// them: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081952044.html), and a
    /// fraction in a string (<c>"3600.0"</c>) is truncated as a fraction in a number is.
    /// </summary>
    public static long? OptionalInt64(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var number))
            {
                return number;
            }
            if (value.TryGetDouble(out var real) && real >= long.MinValue && real <= long.MaxValue)
            {
                return (long)real;
            }
            throw WrongType(name, "an integer in range");
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = Text(value, name);
            if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var fraction)
                && double.IsFinite(fraction) && fraction >= long.MinValue && fraction <= long.MaxValue)
            {
                return (long)fraction;
            }
        }
        throw WrongType(name, "an integer");
    }

    public static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "a boolean"),
        };
    }

    private static McpAuthException Missing(string name) =>
        new(McpAuthErrorCode.InvalidResponse, $"required member '{name}' is missing");

    private static McpAuthException WrongType(string name, string expected) =>
        new(McpAuthErrorCode.InvalidResponse, $"member '{name}' must be {expected}");
}
