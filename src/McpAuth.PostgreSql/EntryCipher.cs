using System.Security.Cryptography;
using System.Text;
using McpAuth.Storage;

namespace McpAuth.PostgreSql;

/// <summary>
/// Seals and opens one entry's bytes. The seam between the PostgreSQL store and the entry encryption, so the store can
/// switch to the shared file-store cipher without touching its SQL.
/// </summary>
internal interface IEntryCipher
{
    /// <summary>The id stored beside new ciphertexts; null when entries are stored in plaintext.</summary>
    string? KeyId { get; }

    byte[] Seal(StoreKey key, ReadOnlySpan<byte> plaintext);

    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreEntryCorrupt"/> naming the entry.</exception>
    byte[] Open(StoreKey key, string? keyId, byte[] payload);
}

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per write and the entry's key ("Kind/Id") as associated data, so a ciphertext
/// moved to another row does not open. Payload layout: version (1 byte) | nonce (12) | ciphertext | tag (16).
/// </summary>
internal sealed class AesGcmEntryCipher : IEntryCipher
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize;

    private readonly byte[] _currentKey;
    private readonly IReadOnlyDictionary<string, byte[]> _keysById;

    public AesGcmEntryCipher(string keyId, byte[] currentKey, IReadOnlyDictionary<string, byte[]> previousKeys)
    {
        KeyId = keyId;
        _currentKey = currentKey;
        var keys = new Dictionary<string, byte[]>(previousKeys, StringComparer.Ordinal) { [keyId] = currentKey };
        _keysById = keys;
    }

    public string? KeyId { get; }

    public byte[] Seal(StoreKey key, ReadOnlySpan<byte> plaintext)
    {
        var payload = new byte[HeaderSize + plaintext.Length + TagSize];
        payload[0] = FormatVersion;
        var nonce = payload.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_currentKey, TagSize);
        aes.Encrypt(nonce, plaintext, payload.AsSpan(HeaderSize, plaintext.Length), payload.AsSpan(payload.Length - TagSize),
            AssociatedData(key));
        return payload;
    }

    public byte[] Open(StoreKey key, string? keyId, byte[] payload)
    {
        if (keyId is null || !_keysById.TryGetValue(keyId, out var entryKey)
            || payload.Length < HeaderSize + TagSize || payload[0] != FormatVersion)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString());
        }
        var plaintext = new byte[payload.Length - HeaderSize - TagSize];
        try
        {
            using var aes = new AesGcm(entryKey, TagSize);
            aes.Decrypt(payload.AsSpan(1, NonceSize), payload.AsSpan(HeaderSize, plaintext.Length),
                payload.AsSpan(payload.Length - TagSize), plaintext, AssociatedData(key));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
    }

    private static byte[] AssociatedData(StoreKey key) => Encoding.UTF8.GetBytes(key.ToString());
}

/// <summary>Stores bytes as they are. Only with <see cref="PostgresTokenStoreOptions.DangerouslyStorePlaintext"/>.</summary>
internal sealed class PlaintextEntryCipher : IEntryCipher
{
    public string? KeyId => null;

    public byte[] Seal(StoreKey key, ReadOnlySpan<byte> plaintext) => plaintext.ToArray();

    /// <summary>A sealed entry cannot be read without its key: it is reported, never returned as ciphertext.</summary>
    public byte[] Open(StoreKey key, string? keyId, byte[] payload) =>
        keyId is null ? payload : throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString());
}
