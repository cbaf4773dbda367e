using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class PkceTests
{
    [Fact]
    public void S256_challenge_matches_RFC7636_appendix_B()
    {
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            Pkce.ComputeS256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    [Fact]
    public void Created_pairs_are_43_characters_and_consistent_and_distinct()
    {
        var a = Pkce.Create();
        var b = Pkce.Create();
        Assert.Equal(43, a.Verifier.Length);
        Assert.Equal(Pkce.ComputeS256Challenge(a.Verifier), a.Challenge);
        Assert.NotEqual(a.Verifier, b.Verifier);
        Assert.DoesNotContain(a.Verifier, a.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX!")]
    public void Invalid_verifiers_are_refused(string verifier) =>
        Assert.Throws<ArgumentException>(() => Pkce.ComputeS256Challenge(verifier));
}
