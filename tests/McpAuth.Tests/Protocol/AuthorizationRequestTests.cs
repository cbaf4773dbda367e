using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class AuthorizationRequestTests
{
    [Fact]
    public void Authorization_url_keeps_the_endpoint_query_and_escapes_values()
    {
        var uri = AuthorizationRequest.BuildUri(new Uri("https://as.example.com/authorize?tenant=a"), new AuthorizationRequestParameters
        {
            ClientId = "https://client.example/meta.json",
            RedirectUri = new Uri("http://127.0.0.1:5000/callback"),
            State = "st",
            CodeChallenge = "ch",
            Scope = "a b",
            Resource = "https://mcp.example.com",
        });
        var query = AuthorizationResponse.ParseQuery(uri.Query);
        Assert.Equal("a", query["tenant"].Single());
        Assert.Equal("a b", query["scope"].Single());
        Assert.Equal("https://mcp.example.com", query["resource"].Single());
        Assert.Equal("S256", query["code_challenge_method"].Single());
        Assert.Equal("https://client.example/meta.json", query["client_id"].Single());
    }
}
