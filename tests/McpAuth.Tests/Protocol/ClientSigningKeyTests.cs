using System.Security.Cryptography;
using System.Text.Json;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public sealed class ClientSigningKeyTests
{
    [Fact]
    public void LoadsPkcs8EcKeyForEs256()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var key = ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), "ES256", "k1");

        Assert.Equal("ES256", key.Algorithm);
        Assert.Equal("k1", key.KeyId);
        var parameters = ec.ExportParameters(false);
        using var jwk = JsonDocument.Parse(key.PublicJwk);
        Assert.Equal("EC", jwk.RootElement.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.RootElement.GetProperty("crv").GetString());
        Assert.Equal(Jws.Base64UrlEncode(parameters.Q.X), jwk.RootElement.GetProperty("x").GetString());
        Assert.Equal(Jws.Base64UrlEncode(parameters.Q.Y), jwk.RootElement.GetProperty("y").GetString());
        Assert.Equal("ES256", jwk.RootElement.GetProperty("alg").GetString());
        Assert.Equal("sig", jwk.RootElement.GetProperty("use").GetString());
        Assert.Equal("k1", jwk.RootElement.GetProperty("kid").GetString());
        Assert.False(jwk.RootElement.TryGetProperty("d", out _));
    }

    [Fact]
    public void LoadsPkcs8RsaKeyForRs256()
    {
        using var rsa = TestKeys.NewRsa2048();

        using var key = ClientSigningKey.FromPkcs8Pem(rsa.ExportPkcs8PrivateKeyPem(), "RS256");

        Assert.Equal("RS256", key.Algorithm);
        Assert.Null(key.KeyId);
        using var jwk = JsonDocument.Parse(key.PublicJwk);
        Assert.Equal("RSA", jwk.RootElement.GetProperty("kty").GetString());
        Assert.Equal(Jws.Base64UrlEncode(rsa.ExportParameters(false).Modulus), jwk.RootElement.GetProperty("n").GetString());
        Assert.Equal("AQAB", jwk.RootElement.GetProperty("e").GetString());
        Assert.False(jwk.RootElement.TryGetProperty("kid", out _));
        Assert.False(jwk.RootElement.TryGetProperty("d", out _));
    }

    [Fact]
    public void AcceptsSec1AndPkcs1PrivateKeys()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = TestKeys.NewRsa2048();

        using var ecKey = ClientSigningKey.FromPkcs8Pem(ec.ExportECPrivateKeyPem(), "ES256");
        using var rsaKey = ClientSigningKey.FromPkcs8Pem(rsa.ExportRSAPrivateKeyPem(), "RS256");

        Assert.Equal("ES256", ecKey.Algorithm);
        Assert.Equal("RS256", rsaKey.Algorithm);
    }

    [Fact]
    public void AcceptsCrlfLineEndingsAndSurroundingText()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = "key for the conformance client\r\n" + ec.ExportPkcs8PrivateKeyPem().Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";

        using var key = ClientSigningKey.FromPkcs8Pem(pem, "ES256");

        var jwt = PrivateKeyJwt.CreateClientAssertion("c", "https://as.example", key, DateTimeOffset.UnixEpoch);
        Assert.True(ec.VerifyData(ProtocolTestSupport.SigningInput(jwt), ProtocolTestSupport.Signature(jwt),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("rsa-2048", "ES256", "for ES256")]
    [InlineData("p-256", "RS256", "for RS256")]
    [InlineData("p-384", "ES256", "P-256")]
    [InlineData("rsa-1024", "RS256", "2048")]
    public void KeyThatDoesNotFitTheAlgorithmIsInvalidConfigurationWithoutKeyMaterial(string keyKind, string algorithm, string reason)
    {
        using AsymmetricAlgorithm generated = keyKind switch
        {
            "rsa-2048" => TestKeys.NewRsa2048(),
            "rsa-1024" => RSA.Create(1024),
            "p-256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        };
        var pem = generated.ExportPkcs8PrivateKeyPem();

        var error = Assert.Throws<McpAuthException>(() => ClientSigningKey.FromPkcs8Pem(pem, algorithm));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        AssertNoKeyMaterial(error, pem);
    }

    [Theory]
    [InlineData("es256")]
    [InlineData("PS256")]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("")]
    public void UnsupportedAlgorithmIsInvalidConfiguration(string algorithm)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<McpAuthException>(() => ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), algorithm));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
    }

    [Fact]
    public void PublicKeyPemIsRefused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportSubjectPublicKeyInfoPem();

        var error = Assert.Throws<McpAuthException>(() => ClientSigningKey.FromPkcs8Pem(pem, "ES256"));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        AssertNoKeyMaterial(error, pem);
    }

    [Fact]
    public void EncryptedKeyIsRefused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportEncryptedPkcs8PrivateKeyPem("pw"u8, new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));

        var error = Assert.Throws<McpAuthException>(() => ClientSigningKey.FromPkcs8Pem(pem, "ES256"));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        AssertNoKeyMaterial(error, pem);
    }

    [Theory]
    [InlineData("not a pem at all")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAAnotDER\n-----END PRIVATE KEY-----")]
    [InlineData("/home/user/key.pem")]
    public void GarbageIsInvalidConfigurationWithoutEchoingIt(string pem)
    {
        var error = Assert.Throws<McpAuthException>(() => ClientSigningKey.FromPkcs8Pem(pem, "ES256"));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.DoesNotContain(pem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAnotDER", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SigningAfterDisposeFails()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), "ES256");
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => PrivateKeyJwt.CreateClientAssertion("c", "https://as.example", key, DateTimeOffset.UnixEpoch));
    }

    /// <summary>Neither the message nor any inner exception may quote the PEM body (nor any long slice of it).</summary>
    private static void AssertNoKeyMaterial(McpAuthException error, string pem)
    {
        var body = string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));
        var text = error.ToString();
        Assert.DoesNotContain(body, text, StringComparison.Ordinal);
        for (var i = 0; i + 16 <= body.Length; i += 16)
        {
            Assert.DoesNotContain(body.Substring(i, 16), text, StringComparison.Ordinal);
        }
    }
}
