using McpAuth.Cli.Callback;
using McpAuth.Engine;

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

    [Fact]
    public void The_page_says_how_the_engine_finished_the_flow()
    {
        var denied = new McpAuthException(McpAuthErrorCode.AuthorizationDenied) { OAuthError = "access_denied", OAuthErrorDescription = "no" };

        Assert.True(CallbackPage.Finished(null).Succeeded);
        var failed = CallbackPage.Finished(denied);
        Assert.False(failed.Succeeded);
        Assert.Contains("The server said: access_denied: no", failed.Detail);
        Assert.False(CallbackPage.Finished(new IOException("disk")).Succeeded);
        Assert.DoesNotContain("disk", CallbackPage.Finished(new IOException("disk")).Detail);
    }

    [Theory]
    [InlineData(CallbackDeliveryStatus.NotAnAuthorizationResponse, "expects an authorization response")]
    [InlineData(CallbackDeliveryStatus.Replayed, "already used")]
    [InlineData(CallbackDeliveryStatus.Expired, "expired")]
    [InlineData(CallbackDeliveryStatus.UnknownState, "does not belong")]
    public void Refusals_say_why(CallbackDeliveryStatus status, string expected)
    {
        var outcome = CallbackPage.Refused(status);

        Assert.False(outcome.Succeeded);
        Assert.Contains(expected, outcome.Detail);
    }
}
