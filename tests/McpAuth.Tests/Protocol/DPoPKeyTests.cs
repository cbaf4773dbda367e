using System.Security.Cryptography;
using System.Text.Json;
using McpAuth.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace McpAuth.Tests.Protocol;

public sealed class DPoPKeyTests
{
    /// <summary>The RFC 9449 §4.1 example key with a made-up private scalar is not a key: d must match x and y.</summary>
    private const string MismatchedJwk =
        """{"kty":"EC","crv":"P-256","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","d":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""";

    [Fact]
    public void GeneratedKeyHasCanonicalPublicJwkAndItsThumbprint()
    {
        using var key = DPoPKey.Generate();

        using var jwk = JsonDocument.Parse(key.PublicJwk);
        Assert.Equal(["crv", "kty", "x", "y"], jwk.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("P-256", jwk.RootElement.GetProperty("crv").GetString());
        Assert.Equal("EC", jwk.RootElement.GetProperty("kty").GetString());
        Assert.Equal("ES256", key.Algorithm);
        var independent = Base64UrlEncoder.Encode(new JsonWebKey(key.PublicJwk).ComputeJwkThumbprint());
        Assert.Equal(independent, key.Thumbprint);
    }

    [Fact]
    public void GeneratedKeysDiffer()
    {
        using var first = DPoPKey.Generate();
        using var second = DPoPKey.Generate();

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void PrivateJwkRoundTripKeepsTheKey()
    {
        using var key = DPoPKey.Generate();

        var saved = key.ToPrivateJwk();
        using var loaded = DPoPKey.FromPrivateJwk(saved);

        Assert.Equal(key.Thumbprint, loaded.Thumbprint);
        Assert.Equal(key.PublicJwk, loaded.PublicJwk);
        Assert.Equal(saved, loaded.ToPrivateJwk());
        using var jwk = JsonDocument.Parse(saved);
        Assert.Equal(["crv", "d", "kty", "x", "y"], jwk.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(32, Jws.Base64UrlDecode(jwk.RootElement.GetProperty("d").GetString()!).Length);
    }

    [Fact]
    public void LoadedKeySignsProofsTheOriginalPublicKeyVerifies()
    {
        using var key = DPoPKey.Generate();
        using var loaded = DPoPKey.FromPrivateJwk(key.ToPrivateJwk());

        var proof = loaded.CreateProof("POST", new Uri("https://as.example.com/token"), DateTimeOffset.UnixEpoch);

        using var jwk = JsonDocument.Parse(key.PublicJwk);
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Jws.Base64UrlDecode(jwk.RootElement.GetProperty("x").GetString()!),
                Y = Jws.Base64UrlDecode(jwk.RootElement.GetProperty("y").GetString()!),
            },
        });
        Assert.True(verifier.VerifyData(ProtocolTestSupport.SigningInput(proof), ProtocolTestSupport.Signature(proof),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void PublicJwkNeverCarriesThePrivateScalar()
    {
        using var key = DPoPKey.Generate();
        var d = JsonDocument.Parse(key.ToPrivateJwk()).RootElement.GetProperty("d").GetString()!;

        Assert.DoesNotContain(d, key.PublicJwk, StringComparison.Ordinal);
        Assert.DoesNotContain("\"d\"", key.PublicJwk, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"kty":"RSA","crv":"P-256","x":"AA","y":"AA","d":"AA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"l8tFrhx","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","d":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"l8tFrhx+34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","d":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":1,"y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","d":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData(MismatchedJwk)]
    public void InvalidPrivateJwkIsInvalidConfiguration(string jwk)
    {
        var error = Assert.Throws<McpAuthException>(() => DPoPKey.FromPrivateJwk(jwk));

        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, error.Code);
        Assert.DoesNotContain("AQAAAAAA", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ThumbprintKeepsLeadingZeroBytesOfCoordinates()
    {
        // About one key in 128 has a coordinate starting with a zero byte; JWK coordinates must keep it (RFC 7518 §6.2.1.2).
        DPoPKey? key = null;
        for (var i = 0; i < 5000 && key is null; i++)
        {
            var candidate = DPoPKey.Generate();
            using var jwk = JsonDocument.Parse(candidate.PublicJwk);
            var x = Jws.Base64UrlDecode(jwk.RootElement.GetProperty("x").GetString()!);
            var y = Jws.Base64UrlDecode(jwk.RootElement.GetProperty("y").GetString()!);
            Assert.Equal(32, x.Length);
            Assert.Equal(32, y.Length);
            if (x[0] == 0 || y[0] == 0)
            {
                key = candidate;
            }
            else
            {
                candidate.Dispose();
            }
        }

        Assert.NotNull(key);
        using (key)
        {
            Assert.Equal(Base64UrlEncoder.Encode(new JsonWebKey(key.PublicJwk).ComputeJwkThumbprint()), key.Thumbprint);
            using var loaded = DPoPKey.FromPrivateJwk(key.ToPrivateJwk());
            Assert.Equal(key.Thumbprint, loaded.Thumbprint);
        }
    }

    [Fact]
    public void PrivateJwkWithExtraMembersAndWhitespaceLoads()
    {
        using var key = DPoPKey.Generate();
        using var saved = JsonDocument.Parse(key.ToPrivateJwk());
        var root = saved.RootElement;
        var jwk = $$"""
            {
              "kid": "dpop-1", "use": "sig", "alg": "ES256",
              "kty": "EC", "crv": "P-256",
              "x": "{{root.GetProperty("x").GetString()}}",
              "y": "{{root.GetProperty("y").GetString()}}",
              "d": "{{root.GetProperty("d").GetString()}}"
            }
            """;

        using var loaded = DPoPKey.FromPrivateJwk(jwk);

        Assert.Equal(key.Thumbprint, loaded.Thumbprint);
        Assert.DoesNotContain("kid", loaded.PublicJwk, StringComparison.Ordinal);
    }

    [Fact]
    public void OneKeySignsProofsOnManyThreads()
    {
        using var key = DPoPKey.Generate();
        var target = new Uri("https://rs.example.com/mcp");
        var proofs = new string[200];

        Parallel.For(0, proofs.Length, i => proofs[i] = key.CreateProof("POST", target, DateTimeOffset.UnixEpoch, accessToken: $"token-{i}"));

        var jwk = new JsonWebKey(key.PublicJwk);
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        });
        Assert.All(proofs, proof => Assert.True(verifier.VerifyData(ProtocolTestSupport.SigningInput(proof),
            ProtocolTestSupport.Signature(proof), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
        Assert.Equal(proofs.Length, proofs.Select(p => ProtocolTestSupport.Claims(p).GetProperty("jti").GetString()).Distinct().Count());
    }
}
