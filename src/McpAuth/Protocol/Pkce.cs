using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Protocol;

/// <summary>A PKCE pair (RFC 7636): the secret verifier and the challenge sent in the authorization request.</summary>
/// <param name="Verifier">The <c>code_verifier</c> (RFC 7636 §4.1). Secret: never log it.</param>
/// <param name="Challenge">The <c>code_challenge</c> (RFC 7636 §4.2), S256 of the verifier.</param>
public sealed record PkceCodes(string Verifier, string Challenge)
{
    /// <summary>Never prints the verifier.</summary>
    public override string ToString() => $"PkceCodes {{ Challenge = {Challenge} }}";
}

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 only (OAuth 2.1 §4.1.1).</summary>
public static class Pkce
{
    /// <summary>The only method McpAuth uses: <c>S256</c> (RFC 7636 §4.2).</summary>
    public const string MethodS256 = "S256";

    /// <summary>A new pair: 32 random bytes as a 43-character base64url verifier (RFC 7636 §4.1).</summary>
    public static PkceCodes Create()
    {
        var verifier = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new PkceCodes(verifier, ComputeS256Challenge(verifier));
    }

    /// <summary><c>BASE64URL(SHA256(ASCII(code_verifier)))</c> (RFC 7636 §4.2).</summary>
    /// <exception cref="ArgumentException">The verifier is not 43-128 characters of the RFC 7636 §4.1 alphabet.</exception>
    public static string ComputeS256Challenge(string verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        if (verifier.Length is < 43 or > 128 || !verifier.All(IsUnreserved))
        {
            throw new ArgumentException("A code_verifier is 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].", nameof(verifier));
        }
        return System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
