using System.Net;
using McpAuth.Protocol;

namespace McpAuth.Sandbox.Tests;

public sealed class ClientAuthenticationTests : SandboxTestBase
{
    private List<KeyValuePair<string, string>> Form() => [new("grant_type", "client_credentials"), new("resource", OAuth.Resource)];

    private Task<RegisteredClient> RegisterConfidentialAsync(string method) =>
        OAuth.RegisterAsync(method, "\"client_credentials\"");

    [Theory]
    [InlineData(SandboxAuthMethods.ClientSecretBasic)]
    [InlineData(SandboxAuthMethods.ClientSecretPost)]
    public async Task The_registered_method_succeeds(string method)
    {
        var client = await RegisterConfidentialAsync(method);

        var answer = await OAuth.PostTokenAsync(client, Form());

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Null(answer.Get("refresh_token"));
        Assert.Equal(HttpStatusCode.OK, (await McpPostAsync(answer.AccessToken, Call("whoami"))).Status);
    }

    [Fact]
    public async Task Basic_with_client_id_also_in_the_body_is_rejected()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretBasic);
        using var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.AuthorizationServer.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([.. Form(), new("client_id", client.ClientId)]),
        };
        request.Headers.Authorization = OAuthTestClient.Basic(client.ClientId, client.Secret!);

        var answer = await OAuth.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
    }

    [Fact]
    public async Task A_post_client_using_basic_is_invalid_client_with_a_Basic_challenge()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretPost);

        var answer = await OAuth.PostTokenAsync(client, Form(), asMethod: SandboxAuthMethods.ClientSecretBasic);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("invalid_client", answer.Error);
        Assert.True(WwwAuthenticate.Parse(answer.WwwAuthenticate).Single().IsScheme("Basic"));
    }

    [Fact]
    public async Task A_basic_client_using_post_is_invalid_client()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretBasic);

        var answer = await OAuth.PostTokenAsync(client, Form(), asMethod: SandboxAuthMethods.ClientSecretPost);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("invalid_client", answer.Error);
        Assert.Empty(answer.WwwAuthenticate);
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_client()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretBasic);

        var answer = await OAuth.PostTokenAsync(client with { Secret = client.Secret + "x" }, Form());

        Assert.Equal("invalid_client", answer.Error);
    }

    [Fact]
    public async Task Basic_credentials_are_form_decoded_per_RFC_6749_section_2_3_1()
    {
        var client = new SandboxClient("id with:colon+plus", "sec ret/ü%+:", SandboxAuthMethods.ClientSecretBasic, [], ["client_credentials"]);
        Sandbox.AuthorizationServer.AddClient(client);

        var answer = await OAuth.PostTokenAsync(new RegisteredClient(client.ClientId, client.ClientSecret, client.TokenEndpointAuthMethod), Form());

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task A_public_client_cannot_use_client_credentials_and_a_forgotten_client_is_invalid_client()
    {
        var (publicClient, _) = await OAuth.LoginAsync();
        var confidential = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretPost);
        Assert.True(Sandbox.AuthorizationServer.RemoveClient(confidential.ClientId));

        Assert.Equal("unauthorized_client", (await OAuth.PostTokenAsync(publicClient, Form())).Error);
        Assert.Equal("invalid_client", (await OAuth.PostTokenAsync(confidential, Form())).Error);
    }

    [Fact]
    public async Task Repeated_parameters_and_a_wrong_content_type_are_invalid_request()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretPost);
        var repeated = await OAuth.PostTokenAsync(client, [.. Form(), new("scope", "mcp:read"), new("scope", "mcp:read")]);
        using var json = new HttpRequestMessage(HttpMethod.Post, Sandbox.AuthorizationServer.TokenEndpoint)
        {
            Content = new StringContent("{\"grant_type\":\"client_credentials\"}", System.Text.Encoding.UTF8, "application/json"),
        };

        Assert.Equal("invalid_request", repeated.Error);
        Assert.Equal("invalid_request", (await OAuth.SendAsync(json)).Error);
        Assert.Equal(2, Sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Token));
    }

    [Fact]
    public async Task An_unknown_grant_type_is_unsupported_grant_type()
    {
        var client = await RegisterConfidentialAsync(SandboxAuthMethods.ClientSecretPost);

        var answer = await OAuth.PostTokenAsync(client, [new("grant_type", "urn:ietf:params:oauth:grant-type:device_code")]);

        Assert.Equal("unsupported_grant_type", answer.Error);
    }
}
