using System.Security.Cryptography;
using System.Text;
using McpAuth.Protocol;
using static McpAuth.Tests.Protocol.ProtocolTestSupport;

namespace McpAuth.Tests.Protocol;

public sealed class JwsTests
{
    private sealed class Es256Signer(ECDsa key) : IJwsSigner
    {
        public string Algorithm => Jws.ES256;

        public byte[] Sign(ReadOnlySpan<byte> signingInput) => Jws.SignEs256(key, signingInput);
    }

    [Theory]
    [InlineData(new byte[0], "")]
    [InlineData(new byte[] { 0xfb }, "-w")]
    [InlineData(new byte[] { 0xff, 0xff }, "__8")]
    [InlineData(new byte[] { 3, 236, 255, 224, 193 }, "A-z_4ME")] // RFC 7515 appendix C
    public void Base64UrlHasNoPaddingAndUsesTheUrlAlphabet(byte[] data, string expected)
    {
        Assert.Equal(expected, Jws.Base64UrlEncode(data));
        Assert.Equal(data, Jws.Base64UrlDecode(expected));
    }

    [Fact]
    public void Base64UrlDecodeRefusesStandardBase64Characters()
    {
        Assert.Throws<FormatException>(() => Jws.Base64UrlDecode("a+b/"));
    }

    [Fact]
    public void CreateWritesAlgFirstThenTheCallerMembersAndSignsTheSigningInput()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwt = Jws.Create(new Es256Signer(key), h => h.WriteString("typ", "dpop+jwt"), c => c.WriteString("htu", "https://a.example/p"));

        var headerJson = Encoding.UTF8.GetString(Jws.Base64UrlDecode(jwt.Split('.')[0]));
        Assert.Equal("""{"alg":"ES256","typ":"dpop+jwt"}""", headerJson);
        var claimsJson = Encoding.UTF8.GetString(Jws.Base64UrlDecode(jwt.Split('.')[1]));
        Assert.Equal("""{"htu":"https://a.example/p"}""", claimsJson);
        var signature = Signature(jwt);
        Assert.Equal(64, signature.Length);
        Assert.True(key.VerifyData(SigningInput(jwt), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void WriteObjectStillEscapesQuotesAndControlCharacters()
    {
        var json = Encoding.UTF8.GetString(Jws.WriteObject(w => w.WriteString("v", "a\"b\\c\n")));

        Assert.Equal("""{"v":"a\"b\\c\n"}""", json);
    }

    [Fact]
    public void Rs256SignatureVerifiesWithPkcs1Sha256()
    {
        using var key = TestKeys.NewRsa2048();
        var data = "header.claims"u8.ToArray();

        var signature = Jws.SignRs256(key, data);

        Assert.Equal(256, signature.Length);
        Assert.True(key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void JwtIdsAreRandom128BitValues()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => Jws.NewJwtId()).ToList();

        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(16, Jws.Base64UrlDecode(id).Length));
    }

    [Fact]
    public void NumericDateIsUnixSeconds()
    {
        Assert.Equal(1_700_000_000, Jws.NumericDate(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_999)));
    }
}
