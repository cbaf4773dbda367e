using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpAuth.Sandbox.Tests;

/// <summary>Entra: <c>resource</c> refused on authorize and token requests; no PKCE methods, registration or revocation listed.</summary>
public sealed class EntraQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new() { Quirks = new() { RejectResourceParameter = true, OmitCodeChallengeMethods = true, NoRevocationEndpoint = true } },
    };

    [Fact]
    public async Task Resource_is_refused_on_authorize_and_token_requests_and_the_metadata_omits_pkce_and_revocation()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        using var refused = await OAuth.AuthorizeRawAsync(OAuthTestClient.AuthorizeParameters(client, pkce, "mcp:read", OAuth.Resource));
        var code = await OAuth.GetCodeAsync(client, pkce, withResource: false);
        var withResource = await OAuth.ExchangeCodeAsync(client, code, pkce, withResource: true);
        using var metadata = JsonDocument.Parse(await OAuth.Http.GetStringAsync(Sandbox.AuthorizationServer.MetadataUrl));

        Assert.Contains("AADSTS901002", OAuthTestClient.ParseQuery(refused.Headers.Location!)["error_description"]);
        Assert.Contains("AADSTS9010010", withResource.Get("error_description"));
        Assert.False(metadata.RootElement.TryGetProperty("code_challenge_methods_supported", out _));
        Assert.False(metadata.RootElement.TryGetProperty("revocation_endpoint", out _));
        Assert.True(metadata.RootElement.TryGetProperty("registration_endpoint", out _));
    }
}

/// <summary>Google: a refresh token only with <c>access_type=offline</c>; the resource metadata spells the issuer with a slash.</summary>
public sealed class GoogleQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new() { Quirks = new() { RefreshTokenRequiresAuthorizeParameter = ("access_type", "offline"), IssuerWithTrailingSlashInResourceMetadata = true } },
    };

    [Fact]
    public async Task A_refresh_token_comes_only_with_offline_access()
    {
        var client = await OAuth.RegisterAsync();
        var online = await LoginAsync(client, offline: false);
        var offline = await LoginAsync(client, offline: true);
        using var resourceMetadata = JsonDocument.Parse(await OAuth.Http.GetStringAsync(Sandbox.McpServer.ResourceMetadataUrl));

        Assert.Null(online.Get("refresh_token"));
        Assert.NotNull(offline.Get("refresh_token"));
        Assert.Equal(Sandbox.AuthorizationServer.IssuerIdentifier + "/", resourceMetadata.RootElement.GetProperty("authorization_servers")[0].GetString());
    }

    private async Task<TokenAnswer> LoginAsync(RegisteredClient client, bool offline)
    {
        var pkce = Pkce.Create();
        var parameters = OAuthTestClient.AuthorizeParameters(client, pkce, "mcp:read", OAuth.Resource);
        if (offline)
        {
            parameters.Add(new("access_type", "offline"));
        }
        using var response = await OAuth.AuthorizeRawAsync(parameters);
        return await OAuth.ExchangeCodeAsync(client, OAuthTestClient.ParseQuery(response.Headers.Location!)["code"], pkce);
    }
}

/// <summary>GitHub: HTTP 200 errors with GitHub's codes, lower-case <c>bearer</c>; no registration or revocation endpoint.</summary>
public sealed class GitHubQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new()
    {
        AuthorizationServer = new() { Quirks = new() { GitHubResponses = true, NoRegistrationEndpoint = true, NoRevocationEndpoint = true } },
    };

    [Fact]
    public async Task A_dead_refresh_token_is_answered_200_bad_refresh_token()
    {
        var client = new RegisteredClient("Iv1.test", "secret-of-the-app", SandboxAuthMethods.ClientSecretBasic);
        Sandbox.AuthorizationServer.AddClient(new SandboxClient(client.ClientId, client.Secret, client.AuthMethod, [OAuthTestClient.RedirectUri],
            [SandboxGrantTypes.AuthorizationCode, SandboxGrantTypes.RefreshToken]));
        var pkce = Pkce.Create();
        var tokens = await OAuth.ExchangeCodeAsync(client, await OAuth.GetCodeAsync(client, pkce), pkce);
        Sandbox.AuthorizationServer.RevokeClientGrants(client.ClientId);

        var dead = await OAuth.RefreshAsync(client, tokens.RefreshToken);
        using var register = await OAuth.Http.PostAsync(Sandbox.AuthorizationServer.RegistrationEndpoint, new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal("bearer", tokens.Get("token_type"));
        Assert.Equal(HttpStatusCode.OK, dead.Status);
        Assert.Equal("bad_refresh_token", dead.Error);
        Assert.Equal(HttpStatusCode.NotFound, register.StatusCode);
    }
}

/// <summary>Slack: the user's token nested in <c>authed_user</c>, <c>token_type: user</c>, errors as <c>ok: false</c>.</summary>
public sealed class SlackQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { SlackResponses = true } } };

    [Fact]
    public async Task Tokens_are_nested_on_the_code_exchange_and_errors_are_ok_false()
    {
        var client = await OAuth.RegisterAsync();
        var pkce = Pkce.Create();
        var exchange = await OAuth.ExchangeCodeAsync(client, await OAuth.GetCodeAsync(client, pkce), pkce);
        var user = exchange.Json.GetProperty("authed_user");
        var refreshToken = user.GetProperty("refresh_token").GetString()!;

        var refreshed = await OAuth.RefreshAsync(client, refreshToken);
        var replayed = await OAuth.RefreshAsync(client, refreshToken);

        Assert.True(exchange.Json.GetProperty("ok").GetBoolean());
        Assert.Null(exchange.Get("access_token"));
        Assert.Equal("user", user.GetProperty("token_type").GetString());
        Assert.Equal("user", refreshed.Get("token_type"));
        Assert.NotNull(refreshed.Get("access_token"));
        Assert.Equal(HttpStatusCode.OK, replayed.Status);
        Assert.False(replayed.Json.GetProperty("ok").GetBoolean());
        Assert.Equal("invalid_refresh_token", replayed.Error);
    }
}

/// <summary>NetSuite-like: <c>expires_in</c> as a string, <c>null</c> members, a refresh that keeps the refresh token.</summary>
public sealed class NetSuiteQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { NetSuiteResponses = true } } };

    [Fact]
    public async Task Expires_in_is_a_string_members_are_null_and_the_refresh_token_is_not_rotated()
    {
        var (client, tokens) = await OAuth.LoginAsync();

        var first = await OAuth.RefreshAsync(client, tokens.RefreshToken);
        var second = await OAuth.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(JsonValueKind.String, tokens.Json.GetProperty("expires_in").ValueKind);
        Assert.Equal(JsonValueKind.Null, tokens.Json.GetProperty("scope").ValueKind);
        Assert.Equal(JsonValueKind.Null, tokens.Json.GetProperty("id_token").ValueKind);
        Assert.Null(first.Get("refresh_token"));
        Assert.NotNull(second.Get("access_token"));
    }
}

/// <summary>Auth0: <c>resource</c> ignored; the token's audience is <c>audience</c>, and without it the MCP server refuses the token.</summary>
public sealed class Auth0QuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { AudienceInsteadOfResource = true } } };

    [Fact]
    public async Task Only_a_token_requested_with_the_audience_is_accepted_by_the_mcp_server()
    {
        var client = await OAuth.RegisterAsync();
        var withResourceOnly = await LoginAsync(client, audience: null);
        var withAudience = await LoginAsync(client, audience: OAuth.Resource);

        var refused = await McpPostAsync(withResourceOnly.AccessToken, Call("whoami"));
        var accepted = await McpPostAsync(withAudience.AccessToken, Call("whoami"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
    }

    private async Task<TokenAnswer> LoginAsync(RegisteredClient client, string? audience)
    {
        var pkce = Pkce.Create();
        var parameters = OAuthTestClient.AuthorizeParameters(client, pkce, "mcp:read", OAuth.Resource);
        if (audience is not null)
        {
            parameters.Add(new("audience", audience));
        }
        using var response = await OAuth.AuthorizeRawAsync(parameters);
        return await OAuth.ExchangeCodeAsync(client, OAuthTestClient.ParseQuery(response.Headers.Location!)["code"], pkce);
    }
}

/// <summary>Okta and Keycloak: registration needs an RFC 7591 initial access token (401 without, 403 with a wrong one).</summary>
public sealed class InitialAccessTokenQuirkTests : SandboxTestBase
{
    private const string InitialAccessToken = "iat-for-the-tests";

    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { RegistrationInitialAccessToken = InitialAccessToken } } };

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token", HttpStatusCode.Forbidden)]
    [InlineData(InitialAccessToken, HttpStatusCode.Created)]
    public async Task Registration_needs_the_initial_access_token(string? token, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.AuthorizationServer.RegistrationEndpoint)
        {
            Content = new StringContent($$"""{"redirect_uris":["{{OAuthTestClient.RedirectUri}}"],"token_endpoint_auth_method":"none"}""", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await OAuth.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }
}

/// <summary>A reuse grace window: a rotated refresh token used again soon gets a new pair and the grant lives on.</summary>
public sealed class ReuseGraceQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { RefreshTokenReuseGrace = TimeSpan.FromMinutes(1) } } };

    [Fact]
    public async Task A_refresh_token_reused_within_the_window_does_not_revoke_the_grant()
    {
        var (client, tokens) = await OAuth.LoginAsync();

        var first = await OAuth.RefreshAsync(client, tokens.RefreshToken);
        var reused = await OAuth.RefreshAsync(client, tokens.RefreshToken);
        var next = await OAuth.RefreshAsync(client, first.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, reused.Status);
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task A_revoked_grant_is_not_revived_by_the_window()
    {
        var (client, tokens) = await OAuth.LoginAsync();
        await OAuth.RefreshAsync(client, tokens.RefreshToken);
        Sandbox.AuthorizationServer.RevokeClientGrants(client.ClientId);

        var reused = await OAuth.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal("invalid_grant", reused.Error);
    }
}

/// <summary>Keycloak: <c>private_key_jwt</c> (RFC 7523 §2.2) checked against the client's public key, each <c>jti</c> once.</summary>
public sealed class PrivateKeyJwtQuirkTests : SandboxTestBase
{
    private readonly RSA _key = RSA.Create(2048);

    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { PrivateKeyJwt = true } } };

    [Fact]
    public async Task An_assertion_signed_by_the_registered_key_authenticates_once()
    {
        Sandbox.AuthorizationServer.AddClient(new SandboxClient("kc", null, SandboxAuthMethods.PrivateKeyJwt, [OAuthTestClient.RedirectUri],
            [SandboxGrantTypes.ClientCredentials], PublicKeyPem: _key.ExportSubjectPublicKeyInfoPem()));
        using var other = RSA.Create(2048);
        var assertion = Assertion(_key, Sandbox.AuthorizationServer.IssuerIdentifier);

        var accepted = await ClientCredentialsAsync(assertion);
        var replayed = await ClientCredentialsAsync(assertion);
        var wrongKey = await ClientCredentialsAsync(Assertion(other, Sandbox.AuthorizationServer.IssuerIdentifier));
        var wrongAudience = await ClientCredentialsAsync(Assertion(_key, "https://elsewhere.example"));

        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal("invalid_client", replayed.Error);
        Assert.Equal("invalid_client", wrongKey.Error);
        Assert.Equal("invalid_client", wrongAudience.Error);
    }

    private Task<TokenAnswer> ClientCredentialsAsync(string assertion)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.AuthorizationServer.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"), new("client_id", "kc"), new("resource", OAuth.Resource),
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), new("client_assertion", assertion),
            ]),
        };
        return OAuth.SendAsync(request);
    }

    private static string Assertion(RSA key, string audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode("""{"alg":"RS256","typ":"JWT"}""");
        var claims = Encode($$"""{"iss":"kc","sub":"kc","aud":"{{audience}}","iat":{{now}},"exp":{{now + 60}},"jti":"{{Guid.NewGuid()}}"}""");
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + claims), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + claims + "." + Base64Url(signature);
    }

    private static string Encode(string json) => Base64Url(Encoding.UTF8.GetBytes(json));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>RFC 8252 §7.3: with the quirk, a loopback redirect URI matches whatever its port; without it, exactly.</summary>
public sealed class LoopbackPortQuirkTests : SandboxTestBase
{
    protected override SandboxOptions Options => new() { AuthorizationServer = new() { Quirks = new() { LoopbackRedirectAnyPort = true } } };

    [Fact]
    public async Task Another_loopback_port_is_accepted_another_path_is_not()
    {
        var client = await OAuth.RegisterAsync();
        var otherPort = WithRedirect(client, "http://127.0.0.1:54321/callback");
        var otherPath = WithRedirect(client, "http://127.0.0.1:54321/elsewhere");

        using var accepted = await OAuth.AuthorizeRawAsync(otherPort);
        using var refused = await OAuth.AuthorizeRawAsync(otherPath);

        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.StartsWith("http://127.0.0.1:54321/callback?", accepted.Headers.Location!.AbsoluteUri);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private List<KeyValuePair<string, string>> WithRedirect(RegisteredClient client, string redirectUri) =>
        OAuthTestClient.AuthorizeParameters(client, Pkce.Create(), "mcp:read", OAuth.Resource)
            .Select(p => p.Key == "redirect_uri" ? new KeyValuePair<string, string>(p.Key, redirectUri) : p).ToList();
}

/// <summary><see cref="SandboxAuthorizationServerOptions.SecretObserver"/>: every secret issued or received, for a secret ledger.</summary>
public sealed class SecretObserverTests : SandboxTestBase
{
    private readonly System.Collections.Concurrent.ConcurrentBag<(string Kind, string Value)> _seen = [];

    protected override SandboxOptions Options => new() { AuthorizationServer = new() { SecretObserver = (kind, value) => _seen.Add((kind, value)) } };

    [Fact]
    public async Task Codes_tokens_client_secrets_and_verifiers_are_observed()
    {
        var client = await OAuth.RegisterAsync(SandboxAuthMethods.ClientSecretPost);
        var pkce = Pkce.Create();
        var code = await OAuth.GetCodeAsync(client, pkce);
        var tokens = await OAuth.ExchangeCodeAsync(client, code, pkce);

        Assert.Contains(("client_secret", client.Secret!), _seen);
        Assert.Contains(("authorization_code", code), _seen);
        Assert.Contains(("code_verifier", pkce.Verifier), _seen);
        Assert.Contains(("access_token", tokens.AccessToken), _seen);
        Assert.Contains(("refresh_token", tokens.RefreshToken), _seen);
    }
}
