using McpAuth.Engine;

namespace McpAuth.Tests.Orchestration;

/// <summary>RFC 8414 §2 revocation_endpoint_auth_methods_supported: which method a client uses at the revocation endpoint.</summary>
public class TokenRevocationTests
{
    [Theory]
    [InlineData("none", null, null, "none")]
    [InlineData("client_secret_basic", "s", null, "client_secret_basic")]
    [InlineData("client_secret_basic", "s", "client_secret_basic,client_secret_post", "client_secret_basic")]
    [InlineData("client_secret_basic", "s", "client_secret_post", "client_secret_post")]
    [InlineData("client_secret_post", "s", "client_secret_basic", "client_secret_basic")]
    [InlineData("none", null, "client_secret_basic,none", "none")]
    [InlineData("client_secret_basic", "s", "none", "none")]
    [InlineData("private_key_jwt", null, "private_key_jwt,client_secret_basic", "private_key_jwt")]
    public void The_token_endpoint_method_is_kept_when_accepted_else_an_advertised_one_the_client_can_perform(
        string tokenMethod, string? secret, string? advertised, string expected)
    {
        var client = new ClientIdentity("https://as.example.com", "c", secret, tokenMethod, "dcr");
        Assert.Equal(expected, TokenRevocation.ChooseMethod(advertised?.Split(','), client));
    }

    [Fact]
    public void A_public_client_at_an_endpoint_that_advertises_only_secrets_keeps_its_method_and_the_server_decides()
    {
        var client = new ClientIdentity("https://as.example.com", "c", null, "none", "dcr");
        Assert.Equal("none", TokenRevocation.ChooseMethod(["client_secret_basic"], client));
    }
}
