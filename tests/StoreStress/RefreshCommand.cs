using McpAuth;
using McpAuth.Engine.Events;
using McpAuth.Engine.Lifecycle;
using McpAuth.Engine.Refresh;
using McpAuth.Http;
using McpAuth.Protocol;
using McpAuth.Storage;

namespace StoreStress;

/// <summary>Many callers in one process asking for one credential; the refresh goes to a real token endpoint.</summary>
public static class RefreshCommand
{
    public static async Task<int> RunAsync(string home, Uri tokenEndpoint, int callers, long startAtUnixMs)
    {
        var lifecycle = new CredentialLifecycle(new TokenVault(StressBinding.OpenStore(home)));
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        var refresh = Callback(new OAuthHttpClient(http), tokenEndpoint);
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(startAtUnixMs) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        var tokens = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
            (await lifecycle.GetValidAsync(StressBinding.Value, refresh, CancellationToken.None)).Tokens.AccessToken)));
        foreach (var token in tokens)
        {
            Console.WriteLine(token);
        }
        return 0;
    }

    /// <summary>Forces a refresh again and again (by marking the stored token expired) until killed.</summary>
    public static async Task<int> LoopAsync(string home, Uri tokenEndpoint)
    {
        var store = StressBinding.OpenStore(home);
        using var http = new HttpClient(OAuthHttpClient.CreateDefaultHandler());
        var client = new OAuthHttpClient(http);
        var refresh = Callback(client, tokenEndpoint);
        var vault = new TokenVault(store);
        var first = true;
        while (true)
        {
            var lifecycle = new CredentialLifecycle(vault, options: LoopOptions);
            await using (await store.LockAsync(StoreKeys.Credential(StressBinding.Value), TimeSpan.FromSeconds(30), CancellationToken.None))
            {
                var current = await vault.GetCredentialAsync(StressBinding.Value, CancellationToken.None)
                    ?? throw new McpAuthException(McpAuthErrorCode.LoginRequired);
                await vault.SaveCredentialAsync(current with { Tokens = current.Tokens with { ExpiresAt = DateTimeOffset.UnixEpoch } },
                    CancellationToken.None);
            }
            try
            {
                await lifecycle.GetValidAsync(StressBinding.Value, refresh, CancellationToken.None);
            }
            catch (McpAuthException e) when (e.Code == McpAuthErrorCode.LoginRequired)
            {
                // A process killed after the server rotated but before saving lost the new refresh token: log in again.
                var current = await vault.GetCredentialAsync(StressBinding.Value, CancellationToken.None);
                var tokens = await Grant(client, tokenEndpoint, LoginGrant, current!);
                await lifecycle.SaveAuthorizationAsync(current! with { Tokens = tokens }, CancellationToken.None);
            }
            if (first)
            {
                first = false;
                StressBinding.SignalReady(); // warmed up: from now on a kill lands inside the refresh work
            }
        }
    }

    /// <summary>
    /// A short refresh lease: a killed child keeps the credential's lease until it expires (it may have spent the refresh
    /// token), so the next child waits that long before it refreshes. With the lock of earlier designs, it went on at once.
    /// </summary>
    private static readonly RefreshOptions LoopOptions = new() { LeaseDuration = TimeSpan.FromSeconds(1) };

    /// <summary>The test token endpoint's stand-in for a new interactive login.</summary>
    public const string LoginGrant = "urn:mcpauth:test:login";

    /// <summary>A minimal refresh_token grant (RFC 6749 §6) with a public client; the engine's real one comes later.</summary>
    public static RefreshCallback Callback(OAuthHttpClient client, Uri tokenEndpoint) =>
        (current, _) => Grant(client, tokenEndpoint, "refresh_token", current);

    private static async Task<TokenSet> Grant(OAuthHttpClient client, Uri tokenEndpoint, string grantType, StoredCredential current)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = grantType,
                ["refresh_token"] = current.Tokens.RefreshToken ?? "",
                ["client_id"] = current.Binding.ClientId,
            }),
        };
        var response = await client.SendAsync(request, CancellationToken.None);
        var json = OAuthResponseReader.ReadJson(response, "token response");
        var expiresIn = OAuthJson.OptionalInt64(json, "expires_in");
        return new TokenSet
        {
            AccessToken = OAuthJson.RequiredString(json, "access_token"),
            RefreshToken = OAuthJson.OptionalString(json, "refresh_token"),
            ExpiresAt = expiresIn is { } seconds ? DateTimeOffset.UtcNow.AddSeconds(seconds) : null,
            Scope = OAuthJson.OptionalString(json, "scope"),
        };
    }
}
