extern alias probe;

using McpAuth.Engine;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Storage;
using probe::LifecycleProbe;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>
/// The device grant (RFC 8628) through the library against oidc-provider with DPoP on: the tokens are DPoP-bound
/// (RFC 9449) like the code flow's, the key is stored with the credential, and a refresh in a new process proves the
/// binding with it (oidc-provider refuses a bound refresh token without the key's proof).
/// </summary>
[Collection(nameof(LifecycleCollection))]
public sealed class DeviceDPoPTests(LifecycleServers servers) : LifecycleTestBase
{
    [Fact]
    public async Task Device_tokens_are_dpop_bound_and_refresh_with_the_stored_key()
    {
        var home = NewHome();
        var time = new ShiftedTime();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        McpAuthClient NewProcess() => new(new McpAuthOptions { Client = { RedirectUri = LifecycleClient.RedirectUri } }, new TokenVault(
            FileTokenStore.Open(new FileTokenStoreOptions { Home = home })), http, time, SuiteLoggerFactory.Logger<McpAuthClient>());
        using var user = new HeadlessAuthorization();

        var token = await NewProcess().AuthorizeWithDeviceCodeAsync(servers.McpUrl,
            async (device, ct) => await user.ApproveDeviceCodeAsync(device.VerificationUriComplete!, ct), CancellationToken.None);

        Assert.Equal("DPoP", token.TokenType, StringComparer.OrdinalIgnoreCase);
        Assert.True(await servers.IsActiveAsync(token.Value));
        var stored = Assert.Single((await new TokenVault(FileTokenStore.Open(new FileTokenStoreOptions { Home = home }))
            .ListCredentialsAsync(CancellationToken.None)).Credentials);
        Assert.NotNull(stored.DPoPPrivateJwk);

        time.Shift += TimeSpan.FromSeconds(LifecycleServers.AccessTokenTtl);
        var refreshed = await NewProcess().GetAccessTokenAsync(servers.McpUrl, CancellationToken.None);
        Assert.NotEqual(token.Value, refreshed.Value);
        Assert.Equal("DPoP", refreshed.TokenType, StringComparer.OrdinalIgnoreCase);
        Assert.True(await servers.IsActiveAsync(refreshed.Value));
    }
}
