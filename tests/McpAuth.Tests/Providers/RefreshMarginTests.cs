using McpAuth.Engine.Refresh;
using McpAuth.Storage;

namespace McpAuth.Tests.Providers;

/// <summary><see cref="RefreshOptions.SkewFor"/>: the fixed margin, capped at a quarter of a known lifetime.</summary>
public class RefreshMarginTests
{
    private static readonly DateTimeOffset Issued = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static TokenSet Lifetime(int? seconds, bool issuedKnown = true) => new()
    {
        AccessToken = "at",
        IssuedAt = issuedKnown ? Issued : null,
        ExpiresAt = seconds is { } s ? Issued.AddSeconds(s) : null,
    };

    [Theory]
    [InlineData(60, 15)] // Cloudflare workers-oauth-provider's shortest lifetime
    [InlineData(120, 30)]
    [InlineData(240, 60)]
    [InlineData(3600, 60)]
    public void The_margin_is_the_skew_capped_at_a_quarter_of_the_lifetime(int lifetime, int margin) =>
        Assert.Equal(TimeSpan.FromSeconds(margin), new RefreshOptions().SkewFor(Lifetime(lifetime)));

    [Fact]
    public void An_unknown_lifetime_keeps_the_skew() =>
        Assert.Equal(TimeSpan.FromSeconds(60), new RefreshOptions().SkewFor(Lifetime(60, issuedKnown: false)));

    [Fact]
    public void Never_more_than_half_of_a_lifetime_whatever_the_skew()
    {
        var options = new RefreshOptions { Skew = TimeSpan.FromHours(1) };

        Assert.True(options.SkewFor(Lifetime(60)) <= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_60_second_token_is_fresh_for_45_seconds()
    {
        var credential = new StoredCredential { Binding = new("p", "r", "i", "c"), Tokens = Lifetime(60), TokenEndpoint = "https://as.example.com/token" };
        var options = new RefreshOptions();

        Assert.True(options.IsFresh(credential, Issued.AddSeconds(44)));
        Assert.False(options.IsFresh(credential, Issued.AddSeconds(45)));
    }
}
