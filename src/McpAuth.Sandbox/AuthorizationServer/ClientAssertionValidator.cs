using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.Sandbox;

/// <summary>
/// Checks a <c>private_key_jwt</c> client assertion (RFC 7523 §3, RFC 7521 §4.2) against the client's public key:
/// RS256 or ES256 signature, <c>iss</c> = <c>sub</c> = client id, <c>aud</c> the issuer or the token endpoint, an
/// unexpired <c>exp</c>, and a <c>jti</c> never seen before.
/// </summary>
internal static class ClientAssertionValidator
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static readonly string[] Algorithms = ["RS256", "ES256"];

    public static OAuthError? Validate(string assertion, SandboxClient client, SandboxAuthorizationServer server)
    {
        if (!server.Options.Quirks.PrivateKeyJwt || client.PublicKeyPem is null)
        {
            return Refused("this client does not authenticate with private_key_jwt");
        }
        var parts = assertion.Split('.');
        if (parts.Length != 3 || !TryDecode(parts[0], out var header) || !TryDecode(parts[1], out var claims))
        {
            return Refused("client_assertion is not a JWS");
        }
        using (header)
        using (claims)
        {
            if (!SignatureValid(header.RootElement, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), parts[2], client.PublicKeyPem))
            {
                return Refused("client_assertion signature does not verify");
            }
            return CheckClaims(claims.RootElement, client.ClientId, server);
        }
    }

    private static OAuthError? CheckClaims(JsonElement claims, string clientId, SandboxAuthorizationServer server)
    {
        var now = server.Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        string[] audiences = [server.IssuerIdentifier, server.TokenEndpoint.AbsoluteUri, server.RevocationEndpoint.AbsoluteUri];
        if (Text(claims, "iss") != clientId || Text(claims, "sub") != clientId)
        {
            return Refused("client_assertion iss and sub must be the client id");
        }
        if (!Audiences(claims).Any(audiences.Contains))
        {
            return Refused("client_assertion aud is not this authorization server");
        }
        if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || exp.GetInt64() <= now)
        {
            return Refused("client_assertion expired");
        }
        return Text(claims, "jti") is { } jti && server.SeenAssertionIds.TryAdd(jti, true) ? null : Refused("client_assertion jti missing or used before");
    }

    private static bool SignatureValid(JsonElement header, byte[] signingInput, string signature, string pem)
    {
        var alg = Text(header, "alg");
        byte[] signatureBytes;
        try
        {
            signatureBytes = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        if (alg == "RS256")
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa.VerifyData(signingInput, signatureBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        if (alg == "ES256")
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return ecdsa.VerifyData(signingInput, signatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        return false;
    }

    private static IEnumerable<string> Audiences(JsonElement claims) =>
        !claims.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)
        : [];

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryDecode(string part, out JsonDocument document)
    {
        document = null!;
        try
        {
            document = JsonDocument.Parse(Base64Url.DecodeFromChars(part));
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    private static OAuthError Refused(string description) => OAuthError.InvalidClient(description, basic: false);
}
