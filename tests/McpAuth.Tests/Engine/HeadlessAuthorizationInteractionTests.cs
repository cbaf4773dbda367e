using System.Net;
using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

public class HeadlessAuthorizationInteractionTests
{
    private static readonly Uri Authorize = new("https://as.example.com/authorize?client_id=c");
    private static readonly Uri Redirect = new("http://127.0.0.1:5000/callback");

    private static FakeHttp Answering(Func<HttpResponseMessage> respond) => new FakeHttp().On("GET", "https://as.example.com/authorize", _ => respond());

    [Fact]
    public async Task The_callback_comes_from_the_location_of_the_redirect()
    {
        var http = Answering(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("http://127.0.0.1:5000/callback?code=x&state=y");
            return response;
        });
        var callback = await new HeadlessAuthorizationInteraction(new HttpClient(http)).AuthorizeAsync(Authorize, Redirect, default);
        Assert.Equal("?code=x&state=y", callback.Query);
    }

    [Fact]
    public async Task A_login_page_or_a_redirect_elsewhere_needs_interaction()
    {
        var page = Answering(() => FakeHttp.Status(200));
        var elsewhere = Answering(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("https://as.example.com/login");
            return response;
        });
        foreach (var http in new[] { page, elsewhere })
        {
            var e = await Assert.ThrowsAsync<McpAuthException>(() => new HeadlessAuthorizationInteraction(new HttpClient(http)).AuthorizeAsync(Authorize, Redirect, default));
            Assert.Equal(McpAuthErrorCode.InteractionRequired, e.Code);
            Assert.DoesNotContain("client_id", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_relative_location_is_resolved_against_the_authorization_url()
    {
        var http = Answering(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("/cb?code=x&state=y", UriKind.Relative);
            return response;
        });
        var callback = await new HeadlessAuthorizationInteraction(new HttpClient(http))
            .AuthorizeAsync(Authorize, new Uri("https://as.example.com/cb"), default);
        Assert.Equal("https://as.example.com/cb?code=x&state=y", callback.AbsoluteUri);
    }

    [Fact]
    public async Task The_one_senders_endpoint_policy_applies()
    {
        // Sent through OAuthHttpClient: plain http to a remote host is refused before anything is sent.
        var http = new FakeHttp();
        var e = await Assert.ThrowsAsync<McpAuthException>(() => new HeadlessAuthorizationInteraction(new HttpClient(http))
            .AuthorizeAsync(new Uri("http://as.example.com/authorize?client_id=c"), Redirect, default));
        Assert.Equal(McpAuthErrorCode.InsecureEndpoint, e.Code);
    }
}
