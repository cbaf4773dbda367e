using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>A private key that signs JWS signing inputs with one algorithm.</summary>
internal interface IJwsSigner
{
    /// <summary>The RFC 7518 §3.1 <c>alg</c> value.</summary>
    string Algorithm { get; }

    /// <summary>Signs <paramref name="signingInput"/> and returns the JWS signature bytes.</summary>
    byte[] Sign(ReadOnlySpan<byte> signingInput);
}

/// <summary>
/// Compact JWS serialization (RFC 7515 §7.1) of the JWTs a client signs: client assertions (RFC 7523) and DPoP proofs
/// (RFC 9449). Header and claims are written with <see cref="Utf8JsonWriter"/>; no reflection.
/// </summary>
internal static class Jws
{
    public const string ES256 = "ES256";
    public const string RS256 = "RS256";

    /// <summary>
    /// Relaxed escaping keeps <c>dpop+jwt</c> and URLs readable; quotes, backslashes and control characters are
    /// still escaped, which is all JSON requires. JWS values never go into HTML.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Base64url without padding (RFC 7515 §2).</summary>
    public static string Base64UrlEncode(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    /// <summary>Decodes base64url without padding.</summary>
    /// <exception cref="FormatException">The text is not base64url.</exception>
    public static byte[] Base64UrlDecode(string text) => Base64Url.DecodeFromChars(text);

    /// <summary>
    /// Builds a compact JWS: <c>alg</c> from <paramref name="signer"/>, then the header members
    /// <paramref name="writeHeader"/> adds, a claims object from <paramref name="writeClaims"/>, and the signature.
    /// </summary>
    public static string Create(IJwsSigner signer, Action<Utf8JsonWriter> writeHeader, Action<Utf8JsonWriter> writeClaims)
    {
        var header = WriteObject(writer =>
        {
            writer.WriteString("alg", signer.Algorithm);
            writeHeader(writer);
        });
        var signingInput = Base64UrlEncode(header) + "." + Base64UrlEncode(WriteObject(writeClaims));
        var signature = signer.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncode(signature);
    }

    /// <summary>Writes one JSON object and returns its UTF-8 bytes.</summary>
    public static byte[] WriteObject(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>ES256 (RFC 7518 §3.4): ECDSA P-256 with SHA-256, signature as the 64-byte R || S (IEEE P1363).</summary>
    public static byte[] SignEs256(ECDsa key, ReadOnlySpan<byte> signingInput) =>
        key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>RS256 (RFC 7518 §3.3): RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    public static byte[] SignRs256(RSA key, ReadOnlySpan<byte> signingInput) =>
        key.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>A fresh <c>jti</c> (RFC 7519 §4.1.7): 128 random bits, base64url.</summary>
    public static string NewJwtId() => Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    /// <summary>The JWT NumericDate (RFC 7519 §2) of <paramref name="time"/>.</summary>
    public static long NumericDate(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
