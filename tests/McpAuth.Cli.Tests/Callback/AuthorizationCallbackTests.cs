using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

public sealed class AuthorizationCallbackTests
{
    [Fact]
    public void Reads_code_state_and_iss()
    {
        var callback = AuthorizationCallback.TryParse(new Uri("http://127.0.0.1:5/callback?code=a%2Bb&state=xyz&iss=https%3A%2F%2Fas.example"));

        Assert.NotNull(callback);
        Assert.Equal("a+b", callback.Code);
        Assert.Equal("xyz", callback.State);
        Assert.Equal("https://as.example", callback.Issuer);
        Assert.False(callback.IsError);
        Assert.DoesNotContain("a+b", callback.ToString());
    }

    [Fact]
    public void Reads_an_error_response()
    {
        var callback = AuthorizationCallback.TryParse(new Uri("http://127.0.0.1:5/callback?error=access_denied&error_description=no&state=s"));

        Assert.NotNull(callback);
        Assert.True(callback.IsError);
        Assert.Equal("access_denied", callback.Error);
        Assert.Equal("no", callback.ErrorDescription);
        Assert.Null(callback.Code);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5/callback?code=c")]
    [InlineData("http://127.0.0.1:5/callback?state=s")]
    [InlineData("http://127.0.0.1:5/callback?state=&code=c")]
    [InlineData("http://127.0.0.1:5/callback")]
    public void Refuses_what_is_not_an_authorization_response(string uri) =>
        Assert.Null(AuthorizationCallback.TryParse(new Uri(uri)));
}
