using McpAuth.Storage;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// Makes every stored access token due for refresh now, as time would: the refresh margin is capped at a quarter of a
/// token's lifetime, so a short-lived token is no longer due at once, and the built process cannot be given a clock.
/// </summary>
internal static class DueTokens
{
    public static Task MakeDueAsync(string home) => MakeDueAsync(FileTokenStore.Open(new FileTokenStoreOptions { Home = home }));

    /// <summary>The same in any store (a PostgreSQL store that several CLIs share).</summary>
    public static async Task MakeDueAsync(ITokenStore store)
    {
        var vault = new TokenVault(store);
        var now = DateTimeOffset.UtcNow;
        foreach (var credential in (await vault.ListCredentialsAsync(default)).Credentials)
        {
            // Issued an hour ago, expiring in 5 s: inside the 60 s margin, and not yet expired at the server.
            await vault.SaveCredentialAsync(credential with
            {
                Tokens = credential.Tokens with { IssuedAt = now.AddHours(-1), ExpiresAt = now.AddSeconds(5) },
                Generation = credential.Generation + 1,
            }, default);
        }
    }
}
