using McpAuth.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>
/// Runs every attack of the hostile-server table. Each attack is one test case; the ledger writes
/// "hostile servers: N attacks, N refused" when the class is done (to stdout and artifacts/test-results/hostile-servers.txt).
/// </summary>
public sealed class HostileServerTests(AttackLedger ledger, ITestOutputHelper output) : IClassFixture<AttackLedger>
{
    public static IReadOnlyList<Attack> Table { get; } =
        [.. MixUpAttacks.All(), .. ResourceAttacks.All(), .. TransportAttacks.All(), .. CallbackAttacks.All(), .. ResponseAttacks.All()];

    public static TheoryData<string> Names => [.. Table.Select(a => a.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Attack_is_refused(string name)
    {
        var attack = Table.Single(a => a.Name == name);
        string? failure;
        try
        {
            failure = await attack.Run().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception e)
        {
            failure = $"the attack itself failed: {e}";
        }
        ledger.Record(name, failure);
        output.WriteLine(failure is null ? $"refused: {name}" : $"NOT REFUSED: {name}: {failure}");
        Assert.True(failure is null, $"{name}: {failure}");
    }

    [Fact]
    public void The_table_covers_every_attack_family()
    {
        var families = Table.Select(a => a.Name[..a.Name.IndexOf(':')]).Distinct().Order().ToList();
        Assert.Equal(["callback", "mix-up", "resource", "response", "transport"], families);
        Assert.Equal(Table.Count, Table.Select(a => a.Name).Distinct().Count());
    }
}

/// <summary>Counts attacks tried and refused across the class and reports the totals at the end.</summary>
public sealed class AttackLedger : IDisposable
{
    private readonly List<(string Name, string? Failure)> _results = [];

    public void Record(string name, string? failure)
    {
        lock (_results)
        {
            _results.Add((name, failure));
        }
    }

    public void Dispose()
    {
        var refused = _results.Count(r => r.Failure is null);
        var summary = $"hostile servers: {_results.Count} attacks, {refused} refused";
        Console.WriteLine(summary);
        var lines = _results.OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => r.Failure is null ? $"refused  {r.Name}" : $"FAILED   {r.Name}: {r.Failure}");
        var folder = Directory.CreateDirectory(Path.Combine(TestTools.RepoRoot, "artifacts", "test-results")).FullName;
        File.WriteAllLines(Path.Combine(folder, "hostile-servers.txt"), [summary, .. lines]);
    }
}
