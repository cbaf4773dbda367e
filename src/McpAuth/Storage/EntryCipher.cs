using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Storage;

/// <summary>
/// Encrypts one store entry with AES-256-GCM: a fresh random nonce per write, and the entry's key
/// (<c>Kind/Id</c>) bound as associated data so an entry copied over another one fails to decrypt.
/// </summary>
/// <remarks>
/// Layout: <c>"MAE" version(1) fingerprint(4) nonce(12) tag(16) ciphertext</c>. The header is authenticated too.
/// A later McpAuth that seals another way writes another version byte, which this one refuses as
/// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> (the plaintext carries its own format, <see cref="StoredEntryCodec"/>).
/// The fingerprint (first bytes of SHA-256 of the key) tells "encrypted with another key" apart from "corrupt".
/// </remarks>
internal sealed class EntryCipher
{
    internal const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int FingerprintSize = 4;
    private const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "MAE"u8;
    private static readonly int HeaderSize = Magic.Length + 1 + FingerprintSize;
    private static readonly int Overhead = HeaderSize + NonceSize + TagSize;

    private readonly byte[] _key;
    private readonly byte[] _fingerprint;

    public EntryCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, "key has the wrong length");
        }
        _key = key.ToArray();
        _fingerprint = SHA256.HashData(_key)[..FingerprintSize];
    }

    public byte[] Seal(StoreKey key, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[Overhead + plaintext.Length];
        WriteHeader(output);
        var nonce = output.AsSpan(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(Overhead), output.AsSpan(HeaderSize + NonceSize, TagSize),
            AssociatedData(output.AsSpan(0, HeaderSize), key));
        return output;
    }

    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreEntryCorrupt"/> when the bytes are not a valid entry for <paramref name="key"/>;
    /// <see cref="McpAuthErrorCode.StoreEntryFromNewerVersion"/> when a later McpAuth sealed it (a version above 1);
    /// <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when the entry was encrypted with another key.
    /// </exception>
    public byte[] Open(StoreKey key, ReadOnlySpan<byte> sealedEntry)
    {
        if (sealedEntry.Length > Magic.Length && sealedEntry.StartsWith(Magic) && sealedEntry[Magic.Length] > Version)
        {
            // A later McpAuth may seal differently: its entries are refused as newer, never taken for damage and replaced.
            throw StoredEntryCodec.FromNewerVersion(key);
        }
        if (sealedEntry.Length < Overhead || !sealedEntry.StartsWith(Magic) || sealedEntry[Magic.Length] != Version)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString());
        }
        var plaintext = new byte[sealedEntry.Length - Overhead];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedEntry.Slice(HeaderSize, NonceSize), sealedEntry[Overhead..], sealedEntry.Slice(HeaderSize + NonceSize, TagSize),
                plaintext, AssociatedData(sealedEntry[..HeaderSize], key));
        }
        catch (AuthenticationTagMismatchException e)
        {
            // The header (fingerprint included) is authenticated, so only a failed decryption needs to ask whose key it was.
            throw sealedEntry.Slice(Magic.Length + 1, FingerprintSize).SequenceEqual(_fingerprint)
                ? new McpAuthException(McpAuthErrorCode.StoreEntryCorrupt, key.ToString(), e)
                : new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, key.ToString(), e);
        }
        return plaintext;
    }

    private void WriteHeader(Span<byte> output)
    {
        Magic.CopyTo(output);
        output[Magic.Length] = Version;
        _fingerprint.CopyTo(output[(Magic.Length + 1)..]);
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, StoreKey key)
    {
        var name = Encoding.UTF8.GetBytes(key.ToString());
        var data = new byte[header.Length + name.Length];
        header.CopyTo(data);
        name.CopyTo(data.AsSpan(header.Length));
        return data;
    }
}
