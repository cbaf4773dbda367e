using System.Text.Json;

namespace McpAuth.Cli.Tests.EndToEnd;

public sealed class DemoTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Demo_walks_login_call_refresh_logout_without_touching_the_users_home()
    {
        var cli = new CliProcess(_home.Path);

        var run = await cli.RunAsync("demo", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var steps = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, steps.Count);
        Assert.All(steps, s => Assert.True(s.GetProperty("ok").GetBoolean(), s.GetProperty("detail").GetString()));
        Assert.Contains("refresh", steps[3].GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home.Path));
        Assert.Contains("stand-in browser", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Opening the browser", run.Stderr, StringComparison.Ordinal);
    }
}
