using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace McpAuth.Storage;

/// <summary>One stored entry as the vault writes it: the format of its encoding, then the record.</summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class StoredEntry<T>
    where T : class
{
    /// <summary>The entry's format; <see cref="StoredEntryCodec.CurrentFormat"/> for what this version writes.</summary>
    public required int Format { get; init; }

    /// <summary>The record.</summary>
    public required T Record { get; init; }
}

/// <summary>Only the format of an entry: what an entry that does not decode is read as, to tell "newer" from "damaged".</summary>
internal sealed class StoredEntryHeader
{
    /// <summary>The entry's format, when it has one.</summary>
    public int? Format { get; init; }
}

/// <summary>
/// The one encoding of stored records: UTF-8 JSON from <see cref="StoreJsonContext"/>, every record wrapped as
/// <c>{"format":1,"record":{...}}</c>, the same bytes in every backend (the backend encrypts them).
/// </summary>
/// <remarks>
/// <para>Compatibility rules, for whoever changes a record:</para>
/// <list type="bullet">
/// <item>A later McpAuth reads every earlier format (none before 1: McpAuth had no release before it).</item>
/// <item>
/// Reading is forward-compatible within a format: members this version does not know are ignored, so a later McpAuth
/// may add an optional member without changing the format, <b>only</b> when an older McpAuth may drop it harmlessly:
/// an older McpAuth that rewrites the entry (a refresh, a login) writes it without that member.
/// </item>
/// <item>
/// Anything else (a member an older McpAuth must not drop, a new required member, a changed meaning or shape) takes a
/// new format number. An older McpAuth refuses an entry whose format is above <see cref="CurrentFormat"/> with
/// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> naming the entry, and the vault never overwrites or
/// deletes such an entry (<see cref="TokenVault"/>).
/// </item>
/// </list>
/// Anything that is not an entry of a known format (malformed JSON, a missing required member, a null where a value is
/// required, a wrong value kind, a format below 1) is <see cref="McpAuthErrorCode.StoreEntryCorrupt"/>.
/// </remarks>
internal static class StoredEntryCodec
{
    /// <summary>The format this version writes, and the newest it reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The entry bytes of <paramref name="record"/> in the current format.</summary>
    public static byte[] Encode<T>(T record, JsonTypeInfo<StoredEntry<T>> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.SerializeToUtf8Bytes(new StoredEntry<T> { Format = CurrentFormat, Record = record }, type);
    }

    /// <summary>The record of the entry <paramref name="key"/>.</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> when a newer McpAuth wrote it;
    /// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> when it is not an entry of a known format.
    /// </exception>
    public static T Decode<T>(StoreKey key, ReadOnlySpan<byte> bytes, JsonTypeInfo<StoredEntry<T>> type)
        where T : class
    {
        StoredEntry<T>? entry;
        try
        {
            entry = JsonSerializer.Deserialize(bytes, type);
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            // A newer format may have a shape this version cannot decode at all: its header still says which it is.
            throw FormatOf(bytes) > CurrentFormat ? FromNewerVersion(key) : new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
        return entry switch
        {
            // Not `required` enough: the serializer cannot see that a generic T is non-nullable, so "record": null passes.
            { Format: CurrentFormat, Record: not null } => entry.Record,
            { Format: > CurrentFormat } => throw FromNewerVersion(key),
            _ => throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString()),
        };
    }

    /// <summary>The format <paramref name="bytes"/> declare; null when they are not an entry with a format.</summary>
    public static int? FormatOf(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, StoreJsonContext.Default.StoredEntryHeader)?.Format;
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            return null;
        }
    }

    /// <summary>The error for an entry a newer McpAuth wrote: it names the entry (never its content).</summary>
    public static McpAuthException FromNewerVersion(StoreKey key) => new(McpAuthErrorCode.StoreEntryFromNewerVersion, key.ToString());

    // Utf8JsonReader reports invalid UTF-8 inside a string as InvalidOperationException when it is transcoded; a date
    // out of DateTimeOffset's range is an ArgumentException.
    private static bool IsDecodingFailure(Exception e) =>
        e is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException;
}
