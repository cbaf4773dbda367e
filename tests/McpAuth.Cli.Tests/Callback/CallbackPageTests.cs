using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

public sealed class CallbackPageTests
{
    [Fact]
    public void Encodes_title_and_detail()
    {
        var page = CallbackPage.Render(new CallbackOutcome(false, "<b>t</b>", "\"><img src=x onerror=alert(1)>"));

        Assert.DoesNotContain("<b>t</b>", page.Html);
        Assert.DoesNotContain("<img", page.Html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", page.Html);
    }

    [Fact]
    public void Each_page_has_its_own_nonce()
    {
        var one = CallbackPage.Render(CallbackOutcome.Success());
        var two = CallbackPage.Render(CallbackOutcome.Success());

        Assert.NotEqual(one.ContentSecurityPolicy, two.ContentSecurityPolicy);
        Assert.Contains("default-src 'none'", one.ContentSecurityPolicy);
    }

    [Theory]
    [InlineData(DeliveryStatus.Replayed, "already used")]
    [InlineData(DeliveryStatus.Expired, "expired")]
    [InlineData(DeliveryStatus.UnknownState, "does not belong")]
    public void Refusals_say_why(DeliveryStatus status, string expected)
    {
        var outcome = CallbackPage.Refused(status);

        Assert.False(outcome.Succeeded);
        Assert.Contains(expected, outcome.Detail);
    }
}
