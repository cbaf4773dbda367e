using System.Security.Cryptography;
using McpAuth.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class PrivateKeyJwtTests
{
    private const string ClientId = "https://client.example/metadata.json";
    private const string Audience = "https://as.example.com";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void AssertionCarriesTheRfc7523Claims()
    {
        using var key = NewEs256Key();

        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now);

        var claims = Claims(jwt);
        Assert.Equal(ClientId, claims.GetProperty("iss").GetString());
        Assert.Equal(ClientId, claims.GetProperty("sub").GetString());
        Assert.Equal(Audience, claims.GetProperty("aud").GetString());
        Assert.Equal(1_800_000_000, claims.GetProperty("iat").GetInt64());
        Assert.Equal(1_800_000_300, claims.GetProperty("exp").GetInt64());
        Assert.Equal(16, Jws.Base64UrlDecode(claims.GetProperty("jti").GetString()!).Length);
        var header = Header(jwt);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
    }

    [Fact]
    public void Es256AssertionVerifiesWithThePublicKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), "ES256");

        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now);

        var signature = Signature(jwt);
        Assert.Equal(64, signature.Length);
        Assert.True(ec.VerifyData(SigningInput(jwt), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void Rs256AssertionVerifiesWithThePublicKey()
    {
        using var rsa = TestKeys.NewRsa2048();
        using var key = ClientSigningKey.FromPkcs8Pem(rsa.ExportPkcs8PrivateKeyPem(), "RS256");

        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now);

        Assert.Equal("RS256", Header(jwt).GetProperty("alg").GetString());
        Assert.True(rsa.VerifyData(SigningInput(jwt), Signature(jwt), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task IdentityModelValidatesTheAssertion(string algorithm)
    {
        using AsymmetricAlgorithm generated = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : TestKeys.NewRsa2048();
        var pem = generated is ECDsa ec ? ec.ExportPkcs8PrivateKeyPem() : ((RSA)generated).ExportPkcs8PrivateKeyPem();
        using var key = ClientSigningKey.FromPkcs8Pem(pem, algorithm, "key-1");
        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, DateTimeOffset.UtcNow);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = ClientId,
            ValidAudience = Audience,
            IssuerSigningKey = new JsonWebKey(key.PublicJwk),
            ValidAlgorithms = [algorithm],
            ClockSkew = TimeSpan.Zero,
        });

        Assert.True(result.IsValid, result.Exception?.ToString());
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("key-1", token.Kid);
        Assert.Equal(ClientId, token.Subject);
    }

    [Fact]
    public void KeyIdGoesInTheHeader()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), "ES256", "kid-42");

        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now);

        Assert.Equal("kid-42", Header(jwt).GetProperty("kid").GetString());
    }

    [Fact]
    public void LifetimeSetsExpiry()
    {
        using var key = NewEs256Key();

        var jwt = PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now, TimeSpan.FromSeconds(60));

        Assert.Equal(1_800_000_060, Claims(jwt).GetProperty("exp").GetInt64());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void LifetimeOutOfRangeIsRefused(int seconds)
    {
        using var key = NewEs256Key();

        Assert.Throws<ArgumentOutOfRangeException>(() => PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now, TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void EveryAssertionHasANewJti()
    {
        using var key = NewEs256Key();

        var first = Claims(PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now)).GetProperty("jti").GetString();
        var second = Claims(PrivateKeyJwt.CreateClientAssertion(ClientId, Audience, key, Now)).GetProperty("jti").GetString();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void EmptyClientIdOrAudienceIsRefused()
    {
        using var key = NewEs256Key();

        Assert.Throws<ArgumentException>(() => PrivateKeyJwt.CreateClientAssertion("", Audience, key, Now));
        Assert.Throws<ArgumentException>(() => PrivateKeyJwt.CreateClientAssertion(ClientId, "", key, Now));
    }

    [Fact]
    public void BuildParametersReturnsTheTwoRfc7523FormParameters()
    {
        using var key = NewEs256Key();

        var parameters = PrivateKeyJwt.BuildParameters(ClientId, Audience, key, Now);

        Assert.Equal(["client_assertion_type", "client_assertion"], parameters.Select(p => p.Key));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", parameters[0].Value);
        Assert.Equal(ClientId, Claims(parameters[1].Value).GetProperty("iss").GetString());
    }

    private static ClientSigningKey NewEs256Key()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ClientSigningKey.FromPkcs8Pem(ec.ExportPkcs8PrivateKeyPem(), "ES256");
    }
}
