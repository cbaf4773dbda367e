using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// A P-256 key that signs DPoP proofs (RFC 9449 §4.2) for the fixtures' smoke tests, independent of the McpAuth
/// engine. Test code only.
/// </summary>
public sealed class RawDpopKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The RFC 7638 thumbprint of the public key (the <c>cnf.jkt</c> a server binds tokens to).</summary>
    public string Thumbprint
    {
        get
        {
            var (x, y) = PublicCoordinates();
            var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}";
            return RawOAuth.Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        }
    }

    /// <summary>A proof for one request: ES256, the public key in the header, htm, htu, iat, jti (and nonce).</summary>
    public string Proof(string method, Uri url, string? nonce = null)
    {
        var (x, y) = PublicCoordinates();
        var header = new Dictionary<string, object>
        {
            ["typ"] = "dpop+jwt", ["alg"] = "ES256",
            ["jwk"] = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = x, ["y"] = y },
        };
        var payload = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"), ["htm"] = method, ["htu"] = url.GetLeftPart(UriPartial.Path),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        var signingInput = $"{RawOAuth.Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{RawOAuth.Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{RawOAuth.Base64Url(signature)}";
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private (string X, string Y) PublicCoordinates()
    {
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        return (RawOAuth.Base64Url(point.X!), RawOAuth.Base64Url(point.Y!));
    }
}
