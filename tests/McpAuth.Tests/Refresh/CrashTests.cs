using System.Diagnostics;
using McpAuth.Storage;
using McpAuth.Tests.Storage;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// Child processes are killed (SIGKILL) at random instants while writing entries and while refreshing. Afterwards every
/// entry must be whole (the old or a new version, never torn or undecryptable) and no temp file may remain.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Seed = 20261122;
    private const int Rounds = 20;
    private readonly TempHome _home = new();

    [Fact]
    public async Task Writers_killed_mid_write_leave_only_whole_entries_and_no_temp_files()
    {
        var random = new Random(Seed);
        StoreStress.StressBinding.OpenStore(_home.Path); // create the key once, before the children race for it
        for (var round = 0; round < Rounds; round++)
        {
            using var child = StressProcess.Start("write", _home.Path, random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "4");
            await KillAfterAsync(child, TimeSpan.FromMilliseconds(random.Next(300)));
        }

        var store = StoreStress.StressBinding.OpenStore(_home.Path);
        Assert.True(store.SweepOrphanedTempFiles() >= 0); // what the next writer does before its first change
        var keys = await store.ListAsync(StoreEntryKind.Registration, CancellationToken.None);
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var value = await store.ReadAsync(key, CancellationToken.None); // throws StoreEntryCorrupt if torn
            Assert.True(StoreStress.WriteCommand.IsWhole(value!), key.ToString());
        }
        Assert.Empty(Directory.EnumerateFiles(_home.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Refreshers_killed_mid_refresh_leave_a_whole_credential_and_no_temp_files()
    {
        var random = new Random(Seed + 1);
        await using var server = new TokenEndpointServer("rt-0", latency: TimeSpan.FromMilliseconds(random.Next(5, 30)));
        server.Issued.Add("rt-0");
        var vault = new TokenVault(StoreStress.StressBinding.OpenStore(_home.Path));
        await vault.SaveCredentialAsync(new StoredCredential
        {
            Binding = StoreStress.StressBinding.Value,
            Tokens = new TokenSet { AccessToken = "at-0", RefreshToken = "rt-0", ExpiresAt = DateTimeOffset.UnixEpoch },
            TokenEndpoint = server.TokenEndpoint.ToString(),
        }, CancellationToken.None);

        for (var round = 0; round < Rounds; round++)
        {
            using var child = StressProcess.Start("refresh-loop", _home.Path, server.TokenEndpoint.ToString());
            await KillAfterAsync(child, TimeSpan.FromMilliseconds(random.Next(300)));
        }

        StoreStress.StressBinding.OpenStore(_home.Path).SweepOrphanedTempFiles();
        var stored = await new TokenVault(StoreStress.StressBinding.OpenStore(_home.Path))
            .GetCredentialAsync(StoreStress.StressBinding.Value, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Contains(stored.Tokens.RefreshToken, server.Issued); // a token the server issued: old or new, never torn
        Assert.True(server.Requests >= Rounds, $"only {server.Requests} token requests: the children did not get to refresh");
        Assert.Empty(Directory.EnumerateFiles(_home.Path, "*.tmp", SearchOption.AllDirectories));
    }

    /// <summary>Waits for the child's "ready" line (first unit of work done), lets it work for <paramref name="delay"/>, kills it.</summary>
    private static async Task KillAfterAsync(Process child, TimeSpan delay)
    {
        var stderr = child.StandardError.ReadToEndAsync();
        var ready = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("ready", ready);
        _ = child.StandardOutput.ReadToEndAsync();
        await Task.Delay(delay);
        if (child.HasExited)
        {
            Assert.Fail($"the child stopped on its own (exit {child.ExitCode}): {await stderr}");
        }
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
    }

    public void Dispose() => _home.Dispose();
}
