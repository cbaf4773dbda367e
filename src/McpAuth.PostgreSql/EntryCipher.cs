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
/// The shared store cipher (<see cref="EntryCipher"/>: AES-256-GCM, a random nonce per write, the entry's key bound as
/// associated data) under one of several envelope keys, chosen by the key id stored beside each ciphertext: new entries
/// are sealed under the current key; entries under a previous key still open (key rotation).
/// </summary>
internal sealed class KeyedEntryCipher : IEntryCipher
{
    private readonly EntryCipher _current;
    private readonly Dictionary<string, EntryCipher> _byKeyId;

    public KeyedEntryCipher(string keyId, byte[] currentKey, IReadOnlyDictionary<string, byte[]> previousKeys)
    {
        KeyId = keyId;
        _current = new EntryCipher(currentKey);
        _byKeyId = previousKeys.ToDictionary(k => k.Key, k => new EntryCipher(k.Value), StringComparer.Ordinal);
        _byKeyId[keyId] = _current;
    }

    public string? KeyId { get; }

    public byte[] Seal(StoreKey key, ReadOnlySpan<byte> plaintext) => _current.Seal(key, plaintext);

    /// <summary>
    /// An unknown key id, or a key id whose key is not the one that sealed the entry, makes only that entry unreadable:
    /// it is reported as corrupt (so listing the others goes on), never as the whole store's key being unavailable.
    /// </summary>
    public byte[] Open(StoreKey key, string? keyId, byte[] payload)
    {
        if (keyId is null || !_byKeyId.TryGetValue(keyId, out var cipher))
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString())
            {
                Hint = $"It was sealed under envelope key {keyId ?? "(none)"}, which this store was not given. If the key was changed, "
                    + "give the old one as a previous key (PostgresTokenStoreOptions.PreviousEnvelopeKeys; for mcpauth, "
                    + "MCPAUTH_STORE_PREVIOUS_KEYS).",
            };
        }
        try
        {
            return cipher.Open(key, payload);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.StoreKeyUnavailable)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e);
        }
    }
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
