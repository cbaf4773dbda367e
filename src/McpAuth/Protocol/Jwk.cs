using System.Security.Cryptography;
using System.Text.Json;

namespace McpAuth.Protocol;

/// <summary>
/// The JSON Web Key pieces a client needs (RFC 7517, RFC 7518 §6): public JWKs of its keys, RFC 7638 thumbprints,
/// and the P-256 private JWK a DPoP key is persisted as.
/// </summary>
internal static class Jwk
{
    public const string CurveP256 = "P-256";

    /// <summary>P-256 coordinates and private scalars are 32 bytes (RFC 7518 §6.2.1.2).</summary>
    public const int P256FieldSize = 32;

    /// <summary>Writes the required public members of a P-256 key in lexicographic order (RFC 7638 §3.2).</summary>
    public static void WriteEcPublicMembers(Utf8JsonWriter writer, ECParameters parameters)
    {
        writer.WriteString("crv", CurveP256);
        writer.WriteString("kty", "EC");
        writer.WriteString("x", Jws.Base64UrlEncode(parameters.Q.X));
        writer.WriteString("y", Jws.Base64UrlEncode(parameters.Q.Y));
    }

    /// <summary>Writes the required public members of an RSA key in lexicographic order (RFC 7638 §3.2).</summary>
    public static void WriteRsaPublicMembers(Utf8JsonWriter writer, RSAParameters parameters)
    {
        writer.WriteString("e", Jws.Base64UrlEncode(parameters.Exponent));
        writer.WriteString("kty", "RSA");
        writer.WriteString("n", Jws.Base64UrlEncode(parameters.Modulus));
    }

    /// <summary>RFC 7638 §3: base64url SHA-256 of the canonical JSON of the required public members.</summary>
    public static string EcThumbprint(ECParameters parameters) =>
        Thumbprint(Jws.WriteObject(writer => WriteEcPublicMembers(writer, parameters)));

    /// <summary>RFC 7638 §3: base64url SHA-256 of the canonical JSON of the required public members.</summary>
    public static string RsaThumbprint(RSAParameters parameters) =>
        Thumbprint(Jws.WriteObject(writer => WriteRsaPublicMembers(writer, parameters)));

    private static string Thumbprint(byte[] canonicalJson) => Jws.Base64UrlEncode(SHA256.HashData(canonicalJson));

    /// <summary>True when <paramref name="curve"/> is NIST P-256 (secp256r1).</summary>
    public static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value
            || string.Equals(curve.Oid.FriendlyName, ECCurve.NamedCurves.nistP256.Oid.FriendlyName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads a P-256 private JWK (<c>kty</c> EC, <c>crv</c> P-256, <c>x</c>, <c>y</c>, <c>d</c>).
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.InvalidConfiguration"/> naming the member at fault.</exception>
    public static ECParameters ReadEcPrivate(string json)
    {
        try
        {
            var jwk = OAuthJson.ParseObject(System.Text.Encoding.UTF8.GetBytes(json), "private JWK");
            RequireMember(jwk, "kty", "EC");
            RequireMember(jwk, "crv", CurveP256);
            return new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = ReadCoordinate(jwk, "x"), Y = ReadCoordinate(jwk, "y") },
                D = ReadCoordinate(jwk, "d"),
            };
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.InvalidResponse)
        {
            // OAuthJson names the member only; the JWK text itself is never quoted.
            throw Invalid("the private JWK is not a JSON object with string members", e);
        }
    }

    private static void RequireMember(JsonElement jwk, string name, string expected)
    {
        if (OAuthJson.OptionalString(jwk, name) != expected)
        {
            throw Invalid($"the private JWK member '{name}' must be '{expected}'");
        }
    }

    private static byte[] ReadCoordinate(JsonElement jwk, string name)
    {
        var text = OAuthJson.OptionalString(jwk, name) ?? throw Invalid($"the private JWK member '{name}' is missing");
        try
        {
            var bytes = Jws.Base64UrlDecode(text);
            return bytes.Length == P256FieldSize ? bytes : throw Invalid($"the private JWK member '{name}' must be {P256FieldSize} bytes");
        }
        catch (FormatException e)
        {
            throw Invalid($"the private JWK member '{name}' is not base64url", e);
        }
    }

    private static McpAuthException Invalid(string detail, Exception? inner = null) =>
        new(McpAuthErrorCode.InvalidConfiguration, detail, inner);
}
