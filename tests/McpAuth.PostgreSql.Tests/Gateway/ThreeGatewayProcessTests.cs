using System.Diagnostics;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.PostgreSql.Tests.Fixtures;
using McpAuth.Storage;
using Xunit.Abstractions;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>
/// Three gateway processes share one database; 2,000 credentials expire within the same minute; all three resolve all of
/// them at once. Each credential must be refreshed exactly once, counted at the token endpoint (which revokes a family on
/// any replayed refresh token), and no caller may see an error.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ThreeGatewayProcessTests(PostgresServer server, ITestOutputHelper output) : StoreTestContext(server)
{
    private const int Credentials = 2000;
    private const int Replicas = 3;
    private const int ConcurrencyPerReplica = 16;

    [Fact]
    public async Task Three_replicas_refresh_each_of_2000_expiring_credentials_exactly_once()
    {
        await using var endpoint = await RotatingTokenEndpoint.StartAsync(latency: TimeSpan.FromMilliseconds(2));
        var issuer = "https://as.example";
        var bindings = GatewayReplica.Bindings(Credentials, issuer);
        await SeedAsync(bindings, endpoint);

        var reports = await RunReplicasAsync(issuer);

        var refreshes = endpoint.RefreshesByFamily;
        output.WriteLine(string.Join('\n', reports.Select(r =>
            $"replica: resolved {r.Resolved}, refreshed {r.Refreshed}, errors {r.Errors}, round trips {r.RoundTrips}, {r.Seconds:F2} s")));
        output.WriteLine($"token endpoint: {refreshes.Values.Sum()} refreshes, {endpoint.Replays} replays");
        Assert.All(reports, r => Assert.Equal((Credentials, 0), (r.Resolved, r.Errors)));
        Assert.Equal(0, endpoint.Replays);
        Assert.Equal(Credentials, refreshes.Count(f => f.Value == 1));
        Assert.Equal(Credentials, reports.Sum(r => r.Refreshed));
        await AssertStoredTokensAreCurrentAsync(bindings, endpoint);
    }

    private async Task SeedAsync(IReadOnlyList<CredentialBinding> bindings, RotatingTokenEndpoint endpoint)
    {
        var vault = new TokenVault(await CreateStoreAsync());
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(bindings.Select((binding, i) => (binding, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (item, ct) => await vault.SaveCredentialAsync(new StoredCredential
            {
                Binding = item.binding,
                // All expire within the same minute; with a 60 s skew every one of them is due now.
                Tokens = new TokenSet { AccessToken = $"at.{item.i}.0", RefreshToken = endpoint.Issue($"{item.i}"), ExpiresAt = now.AddSeconds(item.i % 60) },
                TokenEndpoint = endpoint.TokenEndpoint.ToString(),
            }, ct));
    }

    private async Task<IReadOnlyList<GatewayReport>> RunReplicasAsync(string issuer)
    {
        var processes = Enumerable.Range(0, Replicas).Select(_ => Process.Start(ReplicaStart(issuer))!).ToList();
        try
        {
            foreach (var process in processes)
            {
                Assert.Equal("ready", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            }
            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync();
            }
            var outputs = await Task.WhenAll(processes.Select(p => p.StandardOutput.ReadToEndAsync()))
                .WaitAsync(TimeSpan.FromMinutes(5));
            var errors = await Task.WhenAll(processes.Select(p => p.StandardError.ReadToEndAsync()));
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
            Assert.True(processes.All(p => p.ExitCode == 0), string.Join('\n', outputs.Concat(errors)));
            return outputs.Select(o => GatewayReplica.Deserialize(o.Trim().Split('\n')[^1])).ToList();
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                process.Dispose();
            }
        }
    }

    private ProcessStartInfo ReplicaStart(string issuer)
    {
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                [GatewayProgram.ConnectionVariable] = Server.ConnectionString,
                [GatewayProgram.SchemaVariable] = Schema,
                [GatewayProgram.KeyVariable] = Convert.ToBase64String(Key),
                [GatewayProgram.IssuerVariable] = issuer,
                [GatewayProgram.CountVariable] = $"{Credentials}",
                [GatewayProgram.ConcurrencyVariable] = $"{ConcurrencyPerReplica}",
            },
        };
        foreach (var argument in new[] { "exec", typeof(GatewayProgram).Assembly.Location, "gateway" })
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    private async Task AssertStoredTokensAreCurrentAsync(IReadOnlyList<CredentialBinding> bindings, RotatingTokenEndpoint endpoint)
    {
        var vault = new TokenVault(await CreateStoreAsync());
        for (var i = 0; i < bindings.Count; i++)
        {
            var stored = await vault.GetCredentialAsync(bindings[i], CancellationToken.None);
            Assert.Equal((endpoint.CurrentRefreshToken($"{i}"), 1L), (stored!.Tokens.RefreshToken, stored.Generation));
        }
    }
}
