using System.Security.Cryptography;
using McpAuth.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class DPoPProofTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void HeaderHasTypAlgAndThePublicJwkOnly()
    {
        using var key = DPoPKey.Generate();

        var proof = key.CreateProof("POST", new Uri("https://as.example.com/token"), Now);

        var header = Header(proof);
        Assert.Equal(["alg", "typ", "jwk"], header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("dpop+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(key.PublicJwk, header.GetProperty("jwk").GetRawText());
    }

    [Fact]
    public void ClaimsWithoutNonceOrTokenAreJtiHtmHtuIat()
    {
        using var key = DPoPKey.Generate();

        var proof = key.CreateProof("POST", new Uri("https://as.example.com/token"), Now);

        var claims = Claims(proof);
        Assert.Equal(["jti", "htm", "htu", "iat"], claims.EnumerateObject().Select(p => p.Name));
        Assert.Equal("POST", claims.GetProperty("htm").GetString());
        Assert.Equal("https://as.example.com/token", claims.GetProperty("htu").GetString());
        Assert.Equal(1_800_000_000, claims.GetProperty("iat").GetInt64());
        Assert.Equal(16, Jws.Base64UrlDecode(claims.GetProperty("jti").GetString()!).Length);
    }

    [Theory]
    [InlineData("https://rs.example.com/mcp?session=1#frag", "https://rs.example.com/mcp")]
    [InlineData("https://rs.example.com/mcp?", "https://rs.example.com/mcp")]
    [InlineData("https://rs.example.com:443/a/b/", "https://rs.example.com/a/b/")]
    [InlineData("http://127.0.0.1:8080/mcp#x", "http://127.0.0.1:8080/mcp")]
    [InlineData("https://rs.example.com", "https://rs.example.com/")]
    public void HtuIsTheTargetWithoutQueryAndFragment(string target, string expected)
    {
        using var key = DPoPKey.Generate();

        var proof = key.CreateProof("GET", new Uri(target), Now);

        Assert.Equal(expected, Claims(proof).GetProperty("htu").GetString());
        Assert.Equal(expected, DPoPProof.TargetUri(new Uri(target)));
    }

    [Fact]
    public void RelativeTargetIsRefused()
    {
        using var key = DPoPKey.Generate();

        Assert.Throws<ArgumentException>(() => key.CreateProof("GET", new Uri("/mcp", UriKind.Relative), Now));
    }

    [Fact]
    public void EmptyMethodIsRefused()
    {
        using var key = DPoPKey.Generate();

        Assert.Throws<ArgumentException>(() => key.CreateProof("", new Uri("https://rs.example.com/"), Now));
    }

    /// <summary>RFC 9449 §7.1: the example access token and the <c>ath</c> of the proof that presents it.</summary>
    [Fact]
    public void AthMatchesRfc9449Example()
    {
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", DPoPProof.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"));
    }

    [Fact]
    public void NonceAndAthAreAddedWhenGiven()
    {
        using var key = DPoPKey.Generate();

        var proof = key.CreateProof("GET", new Uri("https://resource.example.org/protectedresource"), Now,
            nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v", accessToken: "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");

        var claims = Claims(proof);
        Assert.Equal("eyJ7S_zG.eyJH0-Z.HX4w-7v", claims.GetProperty("nonce").GetString());
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", claims.GetProperty("ath").GetString());
    }

    [Fact]
    public void EveryProofHasANewJti()
    {
        using var key = DPoPKey.Generate();
        var target = new Uri("https://as.example.com/token");

        var jtis = Enumerable.Range(0, 20).Select(_ => Claims(key.CreateProof("POST", target, Now)).GetProperty("jti").GetString()).ToList();

        Assert.Equal(20, jtis.Distinct().Count());
    }

    [Fact]
    public async Task IdentityModelValidatesTheProofWithTheHeaderJwk()
    {
        using var key = DPoPKey.Generate();
        var proof = key.CreateProof("POST", new Uri("https://as.example.com/token"), DateTimeOffset.UtcNow, nonce: "n-1");
        var headerJwk = new JsonWebKey(Header(proof).GetProperty("jwk").GetRawText());

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = headerJwk,
            ValidTypes = ["dpop+jwt"],
            ValidAlgorithms = ["ES256"],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal(key.Thumbprint, Base64UrlEncoder.Encode(headerJwk.ComputeJwkThumbprint()));
        Assert.Equal("n-1", ((JsonWebToken)result.SecurityToken).GetClaim("nonce").Value);
    }

    [Fact]
    public void TamperedProofDoesNotVerify()
    {
        using var key = DPoPKey.Generate();
        var proof = key.CreateProof("POST", new Uri("https://as.example.com/token"), Now);
        var parameters = new JsonWebKey(key.PublicJwk);
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(parameters.X), Y = Base64UrlEncoder.DecodeBytes(parameters.Y) },
        });
        var input = SigningInput(proof);
        var signature = Signature(proof);

        Assert.True(verifier.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        input[^1] ^= 1;
        Assert.False(verifier.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void ServerChosenNonceIsEscapedNotInjected()
    {
        using var key = DPoPKey.Generate();
        const string nonce = "a\",\"htm\":\"GET\\\u0001";

        var proof = key.CreateProof("POST", new Uri("https://as.example.com/token"), Now, nonce);

        var claims = Claims(proof);
        Assert.Equal(nonce, claims.GetProperty("nonce").GetString());
        Assert.Equal("POST", claims.GetProperty("htm").GetString());
    }

    [Fact]
    public void DisposedKeyCannotSign()
    {
        var key = DPoPKey.Generate();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.CreateProof("POST", new Uri("https://as.example.com/token"), Now));
    }
}
