using System.Security.Cryptography;
using McpAuth.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace McpAuth.Tests.Protocol;

public sealed class JwkTests
{
    /// <summary>RFC 7638 §3.1: the example RSA key and its thumbprint.</summary>
    [Fact]
    public void RsaThumbprintMatchesRfc7638Example()
    {
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        var parameters = new RSAParameters { Modulus = Jws.Base64UrlDecode(n), Exponent = Jws.Base64UrlDecode("AQAB") };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", Jwk.RsaThumbprint(parameters));
    }

    /// <summary>RFC 9449 §4.1 example proof key; §6.1 gives its thumbprint as the <c>cnf.jkt</c>.</summary>
    [Fact]
    public void EcThumbprintMatchesRfc9449Example()
    {
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Jws.Base64UrlDecode("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"),
                Y = Jws.Base64UrlDecode("9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"),
            },
        };

        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", Jwk.EcThumbprint(parameters));
    }

    [Fact]
    public void EcThumbprintAgreesWithIdentityModel()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(false);
        var independent = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(key));

        Assert.Equal(Base64UrlEncoder.Encode(independent.ComputeJwkThumbprint()), Jwk.EcThumbprint(parameters));
    }

    [Fact]
    public void EcPublicMembersAreCanonical()
    {
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = new byte[32], Y = Enumerable.Repeat((byte)0xff, 32).ToArray() },
        };

        var json = System.Text.Encoding.UTF8.GetString(Jws.WriteObject(w => Jwk.WriteEcPublicMembers(w, parameters)));

        Assert.Equal("""{"crv":"P-256","kty":"EC","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"__________________________________________8"}""", json);
    }

    [Fact]
    public void IsP256RecognisesOnlyP256()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.True(Jwk.IsP256(p256.ExportParameters(false).Curve));
        Assert.False(Jwk.IsP256(p384.ExportParameters(false).Curve));
    }
}
