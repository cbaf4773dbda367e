using McpAuth.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>A PostgreSQL server and an oidc-provider of the fault tests' own: the faults restart, stop and lock them.</summary>
public sealed class FaultServers : IAsyncLifetime
{
    /// <summary>Durable settings: with synchronous_commit=off a crash loses committed leases and saves, and nothing above
    /// the database can make up for that (a first long run saw 5 grants revoked under restart -m immediate).</summary>
    public PostgresServer Database { get; } = new() { Durable = true };

    public OidcProviderServer Provider { get; private set; } = null!;

    /// <summary>MCPAUTH_FAULTS=long runs the long profile (scripts/fault-injection); the test command runs the short one.</summary>
    public static FaultProfile Profile =>
        Environment.GetEnvironmentVariable("MCPAUTH_FAULTS") == "long" ? FaultProfile.Long : FaultProfile.Short;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Provider = await OidcProviderServer.StartAsync(new OidcServerConfig
        {
            AccessTokenTtl = Profile.AccessTokenTtlSeconds,
            RefreshDelayMs = Profile.RefreshDelayMs,
        });
    }

    public async Task DisposeAsync()
    {
        await Provider.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// Issue 15's faults, each while three replica processes refresh short-lived credentials at a rotating authorization
/// server that revokes a grant when a rotated-away refresh token comes back. Under every database fault: no replay, no
/// grant lost, every credential still refreshes, and callers see only "try again" errors. Under SIGKILL of a replica, a
/// kill that lands after the server rotated and before the answer was saved leaves nothing to save: only the
/// credentials the victim was refreshing may lose their grant.
/// </summary>
public sealed class FaultInjectionTests(FaultServers servers, ITestOutputHelper output) : IClassFixture<FaultServers>
{
    private static readonly HashSet<string> TryAgain =
        [nameof(McpAuthErrorCode.StoreUnavailable), nameof(McpAuthErrorCode.StoreLockTimeout), nameof(McpAuthErrorCode.TemporarilyUnavailable)];

    [Theory]
    [InlineData(Fault.None)]
    [InlineData(Fault.TerminateSessions)]
    [InlineData(Fault.RestartFast)]
    [InlineData(Fault.RestartImmediate)]
    [InlineData(Fault.Down)]
    [InlineData(Fault.ReadOnly)]
    public async Task A_database_fault_replays_no_refresh_token_and_loses_no_grant(Fault fault)
    {
        var outcome = await FaultScenario.RunAsync(servers.Database, servers.Provider, fault, FaultServers.Profile);

        output.WriteLine(FaultOutcome.Header);
        output.WriteLine(outcome.Row());
        Assert.True(fault == Fault.None || outcome.Injected > 0, "no fault was injected");
        Assert.True(outcome.RefreshRequests >= outcome.Credentials, $"only {outcome.RefreshRequests} refreshes: the run did not exercise them");
        Assert.Equal((0, 0), (outcome.Replays, outcome.GrantsRevoked));
        Assert.Equal(outcome.Credentials, outcome.AbleAtEnd);
        Assert.All(outcome.Errors.Keys, code => Assert.Contains(code, TryAgain));
    }

    [Fact]
    public async Task Killing_replicas_costs_a_grant_only_when_the_kill_landed_mid_refresh()
    {
        var outcome = await FaultScenario.RunAsync(servers.Database, servers.Provider, Fault.KillReplica, FaultServers.Profile);

        output.WriteLine(FaultOutcome.Header);
        output.WriteLine(outcome.Row());
        Assert.True(outcome.Injected > 0, "no replica was killed");
        // Only the credentials a victim was refreshing when it died may be lost (their rotated tokens died with it), and
        // those whose rotated answer the authorization server sent to a connection that was gone (issue 15 counts both
        // apart: a strictly rotating server leaves nothing to save). The in-flight count is sampled just before the kill, so a
        // refresh the victim sent in that instant may show only as a lost answer. Every other credential still refreshes.
        var allowed = outcome.CredentialsInFlightAtKills + outcome.AnswersLost;
        Assert.InRange(outcome.GrantsRevoked, 0, allowed);
        Assert.InRange(outcome.Replays, 0, allowed);
        Assert.InRange(outcome.Credentials - outcome.AbleAtEnd, 0, allowed);
        Assert.All(outcome.Errors.Keys, code => Assert.Contains(code, TryAgain.Append(nameof(McpAuthErrorCode.LoginRequired))));
    }
}
