using McpAuth.Hardening.Tests.Hostile;
using McpAuth.Hardening.Tests.Infrastructure;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Hardening.Tests.Secrets;

/// <summary>A real authorization server (oidc-provider 9, DPoP on) with short-lived access tokens, so every use refreshes.</summary>
public sealed class ShortLivedOidcProvider() : OidcProviderServer(new OidcServerConfig { AccessTokenTtl = 30 });

/// <summary>
/// Flows against oidc-provider with logging at Trace: authorization code with PKCE and DPoP, refresh, a replayed
/// refresh token (invalid_grant, the grant revoked), and re-authorization. No token, code, verifier, client secret or
/// DPoP private key appears in a log line or an exception's Message or ToString.
/// </summary>
public sealed class OidcProviderSecretTests(ShortLivedOidcProvider oidc) : IClassFixture<ShortLivedOidcProvider>
{
    [Fact]
    public async Task Code_refresh_dpop_and_invalid_grant_against_oidc_provider_leak_nothing()
    {
        await using var mcpServer = await HostileServer.StartAsync();
        var mcp = new FakeMcpServer(mcpServer, oidc.IssuerIdentifier);
        using var user = new HeadlessAuthorization();
        var time = new FastForwardTimeProvider(); // moved by 25 s twice: well inside oidc-provider's 300 s DPoP iat window
        using var rig = new ClientRig(time: time);
        rig.Interaction = new RecordingInteraction(new FixtureInteraction(user));
        var errors = new List<Exception>();

        var first = await rig.AuthorizeAsync(mcp.Url);
        Assert.True(first.IsDPoP, $"token type {first.TokenType}: oidc-provider should bind it with DPoP");
        time.Advance(TimeSpan.FromSeconds(25)); // inside the refresh margin of the 30 s tokens
        var refreshed = await rig.Client.GetAccessTokenAsync(mcp.Url, CancellationToken.None);
        Assert.NotEqual(first.Value, refreshed.Value);
        var stale = Assert.Single((await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        time.Advance(TimeSpan.FromSeconds(25));
        await rig.Client.GetAccessTokenAsync(mcp.Url, CancellationToken.None);
        await rig.Secrets.AddStoredAsync(rig.Vault); // before the replay revokes the grant

        var current = Assert.Single((await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        await rig.Vault.SaveCredentialAsync(stale with { Generation = current.Generation + 1 }, CancellationToken.None);
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.NewClient().GetAccessTokenAsync(mcp.Url, CancellationToken.None)));
        Assert.Equal(McpAuthErrorCode.LoginRequired, Assert.IsType<McpAuthException>(Assert.Single(errors)).Code);
        await rig.AuthorizeAsync(mcp.Url);

        await LeakCheck.AssertNoSecretLeakedAsync(rig, errors, ["access_token", "refresh_token", "code", "code_verifier", "dpop_private_key"]);
        Assert.Contains(oidc.Log.Split('\n'), line => line.Contains("invalid_grant", StringComparison.Ordinal) || line.Contains("grant.error", StringComparison.Ordinal));
    }

    private sealed class FixtureInteraction(HeadlessAuthorization user) : IAuthorizationInteraction
    {
        public Task<Uri> AuthorizeAsync(Uri authorizationUrl, Uri redirectUri, CancellationToken cancellationToken) =>
            user.AuthorizeAsync(authorizationUrl, redirectUri, cancellationToken);
    }
}
