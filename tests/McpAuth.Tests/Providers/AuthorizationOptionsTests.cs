using McpAuth.Engine;

namespace McpAuth.Tests.Providers;

/// <summary>The validation of <see cref="AuthorizationOptions"/> and of the pre-registered client's method, through <see cref="McpAuthOptions.Validate"/>.</summary>
public class AuthorizationOptionsTests
{
    private static McpAuthException Invalid(Action<McpAuthOptions> configure)
    {
        var options = new McpAuthOptions();
        configure(options);
        var e = Assert.Throws<McpAuthException>(options.Validate);
        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, e.Code);
        return e;
    }

    [Fact]
    public void Defaults_change_nothing()
    {
        var options = new McpAuthOptions();
        options.Validate();

        Assert.Equal("https://mcp.example.com/mcp", options.Authorization.ResourceParameter("https://mcp.example.com/mcp"));
        Assert.Null(options.Authorization.AuthorizeExtras());
        Assert.False(options.Authorization.AssumePkceS256);
        Assert.Null(options.Authorization.TrustedIssuer);
    }

    [Fact]
    public void The_resource_is_the_given_one_or_none()
    {
        var given = new AuthorizationOptions { Resource = new Uri("https://api.example.com/") };
        var omitted = new AuthorizationOptions { OmitResource = true };

        Assert.Equal("https://api.example.com/", given.ResourceParameter("https://mcp.example.com/mcp"));
        Assert.Null(omitted.ResourceParameter("https://mcp.example.com/mcp"));
    }

    [Theory]
    [InlineData("response_type")]
    [InlineData("client_id")]
    [InlineData("scope")]
    [InlineData("code_challenge")]
    [InlineData("resource")]
    [InlineData("")]
    public void Extra_parameters_may_not_be_the_protocols_own(string name)
    {
        var e = Invalid(o => o.Authorization.ExtraParameters[name] = "x");

        Assert.Contains("ExtraParameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Audience_is_set_one_way_only()
    {
        Invalid(o =>
        {
            o.Authorization.Audience = "https://api.example.com";
            o.Authorization.ExtraParameters["audience"] = "https://other.example.com";
        });
        var options = new McpAuthOptions();
        options.Authorization.ExtraParameters["audience"] = "https://api.example.com";
        options.Validate();
    }

    [Fact]
    public void Resource_choices_exclude_each_other_and_must_be_absolute_without_fragment()
    {
        Invalid(o => { o.Authorization.OmitResource = true; o.Authorization.Resource = new Uri("https://api.example.com"); });
        Invalid(o => o.Authorization.Resource = new Uri("/relative", UriKind.Relative));
        Invalid(o => o.Authorization.Resource = new Uri("https://api.example.com/#frag"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("accounts.google.com")]
    [InlineData("ftp://accounts.google.com")]
    public void A_trusted_issuer_is_an_http_url(string issuer) => Invalid(o => o.Authorization.TrustedIssuer = issuer);

    [Theory]
    [InlineData("client_secret_basic", null, false)]
    [InlineData("client_secret_post", null, false)]
    [InlineData("private_key_jwt", "s", false)]
    [InlineData("tls_client_auth", "s", false)]
    public void A_chosen_client_authentication_method_needs_what_it_uses(string method, string? secret, bool key) =>
        Invalid(o =>
        {
            o.Client.PreRegistered = new PreRegisteredClient("c", secret, method);
            o.Client.Key = key ? new ClientKeyOptions("pem", "ES256") : null;
        });

    [Theory]
    [InlineData("none", null)]
    [InlineData("client_secret_basic", "s")]
    [InlineData("client_secret_post", "s")]
    [InlineData(null, null)]
    public void A_method_with_what_it_needs_is_accepted(string? method, string? secret) =>
        new McpAuthOptions { Client = { PreRegistered = new PreRegisteredClient("c", secret, method) } }.Validate();

    [Fact]
    public void The_client_record_never_prints_its_secret()
    {
        var text = new PreRegisteredClient("c", "sekrit", "client_secret_post").ToString();

        Assert.DoesNotContain("sekrit", text, StringComparison.Ordinal);
        Assert.Contains("client_secret_post", text, StringComparison.Ordinal);
    }
}
