using System.Text.Json;
using McpAuth.Demo;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>The built <c>mcpauth-demo</c> (its apphost beside the tests, copied by the project reference) run as a user runs it.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private static string DemoExecutable { get; } = Path.Combine(
        AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "mcpauth-demo.exe" : "mcpauth-demo");

    [Fact]
    public async Task Demo_walks_login_call_refresh_logout_without_touching_the_users_home()
    {
        var demo = new CliProcess(_home.Path) { Executable = DemoExecutable };

        var run = await demo.RunAsync("--json");

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

    [Fact]
    public async Task Help_names_the_executable_and_an_unknown_option_is_an_error_on_stderr()
    {
        var demo = new CliProcess(_home.Path) { Executable = DemoExecutable };

        var help = await demo.RunAsync("--help");
        var wrong = await demo.RunAsync("--bogus");

        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("mcpauth-demo [options]", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--json", help.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Error, wrong.ExitCode);
        Assert.Equal("", wrong.Stdout);
        Assert.Contains("--bogus", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains("mcpauth-demo --help", wrong.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--json" }, true)]
    public void Parses_json(string[] args, bool json)
    {
        var command = new DemoCommand();

        Assert.Equal(new DemoOptions(json), command.Parse(command.Parse(args)));
    }
}
