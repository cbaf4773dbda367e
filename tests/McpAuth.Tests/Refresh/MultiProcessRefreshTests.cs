using McpAuth.Storage;
using McpAuth.Tests.Storage;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// 8 processes × 16 concurrent callers ask for one expired credential in a shared file store: the token endpoint
/// (which rotates refresh tokens and punishes replays) must see exactly one refresh, and every caller the new token.
/// </summary>
public sealed class MultiProcessRefreshTests : IDisposable
{
    private const int Processes = 8;
    private const int CallersPerProcess = 16;
    private readonly TempHome _home = new();

    [Fact]
    public async Task Eight_processes_of_sixteen_callers_cause_exactly_one_refresh()
    {
        await using var server = new TokenEndpointServer("rt-0", latency: TimeSpan.FromMilliseconds(200));
        var vault = new TokenVault(StoreStress.StressBinding.OpenStore(_home.Path));
        await vault.SaveCredentialAsync(new StoredCredential
        {
            Binding = StoreStress.StressBinding.Value,
            Tokens = new TokenSet { AccessToken = "at-0", RefreshToken = "rt-0", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) },
            TokenEndpoint = server.TokenEndpoint.ToString(),
            Generation = 1,
        }, CancellationToken.None);
        server.Issued.Add("rt-0");

        // Start them all, then let them go at the same instant (process start-up takes longer than the lead time).
        var startAt = DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var children = Enumerable.Range(0, Processes)
            .Select(_ => StressProcess.Start("refresh", _home.Path, server.TokenEndpoint.ToString(), CallersPerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture), startAt))
            .ToList();
        var outputs = await Task.WhenAll(children.Select(async child =>
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            return (child.ExitCode, Out: await stdout, Err: await stderr);
        }));
        foreach (var child in children)
        {
            child.Dispose();
        }

        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.Err));
        var tokens = outputs.SelectMany(o => o.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(Processes * CallersPerProcess, tokens.Count);
        Assert.All(tokens, t => Assert.Equal("at-1", t));
        Assert.Equal(1, server.Requests);
        Assert.Equal(0, server.Replays);
        var stored = await vault.GetCredentialAsync(StoreStress.StressBinding.Value, CancellationToken.None);
        Assert.Equal("rt-1", stored!.Tokens.RefreshToken);
    }

    public void Dispose() => _home.Dispose();
}
