using System.Diagnostics;
using System.Globalization;
using System.Net;
using McpAuth.Sandbox;

namespace McpAuth.IntegrationTests.Lifecycle;

/// <summary>
/// A restart keeps the login and its expiry: a new client over the same store, and a real second process, get the
/// token without re-authorization and without any request while it is valid; 8 processes × 16 callers asking for an
/// expired one cause exactly one refresh at oidc-provider.
/// </summary>
[Collection(nameof(LifecycleCollection))]
public sealed class RestartTests(LifecycleServers servers) : LifecycleTestBase
{
    [Fact]
    public async Task A_new_client_over_the_same_store_uses_the_stored_token_and_expiry_with_zero_requests()
    {
        var home = NewHome();
        AccessTokenSnapshot login;
        using (var first = new LifecycleClient(home))
        {
            var token = await first.LoginAsync(servers.McpUrl);
            login = new(token.Value, token.ExpiresAt);
        }
        await servers.Oidc.ResetStatsAsync();
        var metadataBefore = servers.Mcp.Stats.Get(SandboxCounters.ProtectedResourceMetadata);

        using var second = new LifecycleClient(home);
        var again = await second.Client.GetAccessTokenAsync(servers.McpUrl, CancellationToken.None);

        Assert.Equal(login, new AccessTokenSnapshot(again.Value, again.ExpiresAt));
        Assert.Equal(0, second.Counter.Count);
        Assert.Equal(0, await servers.AuthorizationServerRequestsAsync());
        Assert.Equal(metadataBefore, servers.Mcp.Stats.Get(SandboxCounters.ProtectedResourceMetadata));
        Assert.Equal(HttpStatusCode.OK, await PingAsync(second, servers.McpUrl));
        Assert.Equal(0, second.Counter.Count);
        Assert.Equal(0, (await servers.Oidc.StatsAsync()).Authorizations);
    }

    [Fact]
    public async Task A_second_process_gets_the_stored_token_and_expiry_without_any_request()
    {
        var home = NewHome();
        using var first = new LifecycleClient(home);
        var token = await first.LoginAsync(servers.McpUrl);
        await servers.Oidc.ResetStatsAsync();

        var (lines, stderr) = await RunProbesAsync(home, processes: 1, callers: 1);

        Assert.Equal($"{token.Value} {token.ExpiresAt!.Value.ToUnixTimeSeconds()}", Assert.Single(lines));
        Assert.Contains("oauth-requests=0 ", stderr[0], StringComparison.Ordinal);
        Assert.Equal(0, await servers.AuthorizationServerRequestsAsync());
    }

    [Fact]
    public async Task Eight_processes_of_sixteen_callers_with_an_expired_token_cause_exactly_one_refresh_at_oidc_provider()
    {
        var home = NewHome();
        using var first = new LifecycleClient(home);
        await first.LoginAsync(servers.McpUrl);
        var stored = await first.StoredAsync();
        await first.Vault.SaveCredentialAsync(stored with { Tokens = stored.Tokens with { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) } },
            CancellationToken.None);
        await servers.Oidc.ResetStatsAsync();

        var (lines, stderr) = await RunProbesAsync(home, processes: 8, callers: 16);

        Assert.Equal(8 * 16, lines.Count);
        var refreshed = await first.StoredAsync();
        Assert.NotEqual(stored.Tokens.AccessToken, refreshed.Tokens.AccessToken);
        Assert.NotEqual(stored.Tokens.RefreshToken, refreshed.Tokens.RefreshToken);
        Assert.All(lines, l => Assert.StartsWith(refreshed.Tokens.AccessToken + " ", l, StringComparison.Ordinal));
        var stats = await servers.Oidc.StatsAsync();
        Assert.Equal(1, stats.TokenRequests("refresh_token"));
        Assert.Equal(0, stats.RefreshReplays);
        Assert.Equal(0, stats.GrantsRevoked);
        // Each process checks the binding by discovery (metadata GETs) before its first refresh; one of them refreshes.
        Assert.Equal(8, stderr.Count(e => e.Contains("oauth-requests=", StringComparison.Ordinal)));
        Assert.True(await servers.IsActiveAsync(refreshed.Tokens.RefreshToken!));
    }

    /// <summary>Runs LifecycleProbe processes that start asking at the same instant; their stdout lines and stderr texts.</summary>
    private async Task<(List<string> Lines, List<string> Stderr)> RunProbesAsync(string home, int processes, int callers)
    {
        var startAt = DateTimeOffset.UtcNow.AddSeconds(processes == 1 ? 0 : 5).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var children = Enumerable.Range(0, processes)
            .Select(_ => Probe("token", home, servers.McpUrl.AbsoluteUri, callers.ToString(CultureInfo.InvariantCulture), startAt)).ToList();
        try
        {
            var outputs = await Task.WhenAll(children.Select(async child =>
            {
                var stdout = child.StandardOutput.ReadToEndAsync();
                var stderr = child.StandardError.ReadToEndAsync();
                await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
                return (child.ExitCode, Out: await stdout, Err: await stderr);
            }));
            Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.Err));
            return (outputs.SelectMany(o => o.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList(), outputs.Select(o => o.Err).ToList());
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    private static Process Probe(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LifecycleProbe.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start LifecycleProbe");
    }

    private sealed record AccessTokenSnapshot(string Value, DateTimeOffset? ExpiresAt);
}
