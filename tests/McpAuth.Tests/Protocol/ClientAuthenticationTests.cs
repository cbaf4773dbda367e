using System.Text;
using McpAuth.Protocol;

namespace McpAuth.Tests.Protocol;

public class ClientAuthenticationTests
{
    [Fact]
    public void Basic_form_encodes_id_and_secret_before_base64_per_RFC6749_2_3_1()
    {
        var header = ClientAuthentication.BasicHeaderValue("client id:1", "s3cr3t+/=&é");
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        Assert.Equal("client+id%3A1:s3cr3t%2B%2F%3D%26%C3%A9", decoded);
    }

    [Fact]
    public void Basic_does_not_repeat_client_id_in_the_body()
    {
        var body = new List<KeyValuePair<string, string>>();
        var header = ClientAuthentication.Apply(ClientAuthentication.ClientSecretBasic, "id", "secret", body);
        Assert.NotNull(header);
        Assert.Empty(body);
    }

    [Fact]
    public void Post_puts_id_and_secret_in_the_body()
    {
        var body = new List<KeyValuePair<string, string>>();
        Assert.Null(ClientAuthentication.Apply(ClientAuthentication.ClientSecretPost, "id", "secret", body));
        Assert.Equal([new("client_id", "id"), new("client_secret", "secret")], body);
    }

    [Fact]
    public void None_sends_only_the_client_id()
    {
        var body = new List<KeyValuePair<string, string>>();
        Assert.Null(ClientAuthentication.Apply(ClientAuthentication.None, "id", null, body));
        Assert.Equal([new KeyValuePair<string, string>("client_id", "id")], body);
    }

    [Fact]
    public void Private_key_jwt_sends_the_assertion()
    {
        var body = new List<KeyValuePair<string, string>>();
        ClientAuthentication.Apply(ClientAuthentication.PrivateKeyJwt, "id", null, body, "a.b.c");
        Assert.Contains(new KeyValuePair<string, string>("client_assertion", "a.b.c"), body);
        Assert.Contains(new KeyValuePair<string, string>("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), body);
    }

    [Fact]
    public void A_secret_method_without_a_secret_is_a_configuration_error()
    {
        var e = Assert.Throws<McpAuthException>(() => ClientAuthentication.Apply(ClientAuthentication.ClientSecretBasic, "id", null, []));
        Assert.Equal(McpAuthErrorCode.InvalidConfiguration, e.Code);
    }

    [Theory]
    [InlineData(new[] { "none" }, false, "none")]
    [InlineData(new[] { "client_secret_post" }, true, "client_secret_post")]
    [InlineData(new[] { "client_secret_post", "client_secret_basic" }, true, "client_secret_basic")]
    [InlineData(new[] { "private_key_jwt" }, true, null)]
    public void Choose_prefers_basic_then_post(string[] supported, bool hasSecret, string? expected) =>
        Assert.Equal(expected, ClientAuthentication.Choose(supported, hasSecret));
}
