using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>Real grants at oidc-provider: one authorization code flow with PKCE per credential, for its refresh token.</summary>
public static class OidcGrants
{
    private const int Parallelism = 4;

    public static async Task<string[]> AuthorizeManyAsync(RawOAuth oauth, string clientId, Uri redirectUri, int count)
    {
        var refreshTokens = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, Parallelism), async (worker, ct) =>
        {
            for (var i = worker; i < count; i += Parallelism)
            {
                using var browser = new HeadlessAuthorization(); // a fresh cookie jar: one login per user
                var (verifier, challenge) = RawOAuth.NewPkce();
                var url = await oauth.AuthorizationUrlAsync(clientId, redirectUri, challenge, "mcp:read mcp:write",
                    "http://127.0.0.1:40001/mcp", $"state-{i}");
                var tokens = await oauth.RedeemCodeAsync(clientId, redirectUri, await browser.AuthorizeAsync(url, redirectUri, ct), verifier);
                refreshTokens[i] = tokens["refresh_token"] ?? throw new InvalidOperationException($"no refresh token: {tokens.Status}");
            }
        });
        return refreshTokens;
    }
}
