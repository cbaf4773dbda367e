using System.Security.Cryptography;
using System.Text;
using McpAuth.Storage;

namespace McpAuth.PostgreSql;

/// <summary>Turns the operator's envelope key options into an <see cref="IEntryCipher"/>, refusing anything unsafe.</summary>
internal static class EnvelopeKeys
{
    private const int MaxKeyIdLength = 64;

    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when no key is given and plaintext was not asked for;
    /// <see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the option when a key or key id is malformed.
    /// </exception>
    public static IEntryCipher CreateCipher(PostgresTokenStoreOptions options)
    {
        var key = CurrentKey(options);
        if (key is null)
        {
            return options.DangerouslyStorePlaintext
                ? new PlaintextEntryCipher()
                : throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, nameof(options.EnvelopeKey));
        }
        var keyId = options.KeyId ?? Fingerprint(key);
        RequireKeyId(keyId, nameof(options.KeyId));
        var previous = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, previousKey) in options.PreviousEnvelopeKeys ?? new Dictionary<string, byte[]>())
        {
            RequireKeyId(id, nameof(options.PreviousEnvelopeKeys));
            previous[id] = RequireSize(previousKey, nameof(options.PreviousEnvelopeKeys));
        }
        return new KeyedEntryCipher(keyId, key, previous);
    }

    /// <summary>A stable, non-secret id for a key: the first 8 bytes of SHA-256 over a label and the key, in hex.</summary>
    public static string Fingerprint(byte[] key)
    {
        var label = Encoding.ASCII.GetBytes("mcpauth envelope key id\n");
        var hash = SHA256.HashData([.. label, .. key]);
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static byte[]? CurrentKey(PostgresTokenStoreOptions options)
    {
        if (options.EnvelopeKey is not null && options.EnvelopeKeyBase64 is not null)
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(options.EnvelopeKeyBase64));
        }
        if (options.EnvelopeKeyBase64 is { } base64)
        {
            return RequireSize(Decode(base64), nameof(options.EnvelopeKeyBase64));
        }
        return options.EnvelopeKey is { } bytes ? RequireSize(bytes.ToArray(), nameof(options.EnvelopeKey)) : null;
    }

    private static byte[] Decode(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written)
            ? buffer[..written]
            : throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, nameof(PostgresTokenStoreOptions.EnvelopeKeyBase64));
    }

    private static byte[] RequireSize(byte[] key, string option) =>
        key.Length == EntryCipher.KeySize ? key : throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, option);

    private static void RequireKeyId(string keyId, string option)
    {
        if (keyId.Length is 0 or > MaxKeyIdLength || !keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new McpAuthException(McpAuthErrorCode.InvalidConfiguration, option);
        }
    }
}
