namespace McpAuth.Cli.Tests.Commands;

/// <summary>The conventions, checked on the built executable run as a separate process.</summary>
public sealed class HelpAndExitCodeTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly CliProcess _cli;

    public HelpAndExitCodeTests() => _cli = new CliProcess(_home.Path);

    public void Dispose() => _home.Dispose();

    public static TheoryData<string> Verbs => new() { "login", "status", "token", "headers", "logout", "import", "proxy" };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_has_help_with_an_example_and_the_exit_codes(string verb)
    {
        var run = await _cli.RunAsync(verb, "--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
        Assert.Contains("Examples:", run.Stdout);
        Assert.Contains($"  mcpauth {verb}", run.Stdout);
        Assert.Contains("4  login needed", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Root_help_lists_every_verb_and_the_exit_codes()
    {
        var run = await _cli.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        foreach (var verb in Verbs)
        {
            Assert.Contains($"  {verb}", run.Stdout);
        }
        Assert.Contains("2  cancelled", run.Stdout);
        Assert.Contains("MCPAUTH_HOME", run.Stdout);
    }

    [Fact]
    public async Task No_arguments_shows_help()
    {
        var run = await _cli.RunAsync();

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
    }

    [Fact]
    public async Task An_unknown_verb_is_an_error_on_stderr_with_nothing_on_stdout()
    {
        var run = await _cli.RunAsync("logn");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("logn", run.Stderr);
        Assert.Contains("login", run.Stderr);
        Assert.Contains("mcpauth --help", run.Stderr);
    }

    [Fact]
    public async Task Demo_is_no_verb_of_mcpauth_and_says_where_the_demo_went()
    {
        var run = await _cli.RunAsync("demo");
        var help = await _cli.RunAsync("--help");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("Unrecognized command or argument 'demo'", run.Stderr);
        Assert.Contains("mcpauth-demo", run.Stderr);
        Assert.DoesNotContain("demo", help.Stdout);
    }

    [Fact]
    public async Task A_missing_argument_is_an_error_naming_it()
    {
        var run = await _cli.RunAsync("token");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("server-url", run.Stderr);
        Assert.Contains("mcpauth token --help", run.Stderr);
    }

    [Theory]
    [InlineData("token", "ftp://example.com/mcp")]
    [InlineData("token", "not a url")]
    [InlineData("login", "https://mcp.example/mcp#frag")]
    public async Task A_server_url_that_is_not_http_is_refused(string verb, string url)
    {
        var run = await _cli.RunAsync(verb, url);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("is not an http or https server URL", run.Stderr);
    }

    [Fact]
    public async Task A_secret_env_var_that_is_unset_is_named_and_its_value_never_printed()
    {
        _cli.Environment["EMPTY_SECRET"] = "";

        var run = await _cli.RunAsync("login", "https://mcp.example/mcp", "--client-id", "c", "--client-secret-env", "EMPTY_SECRET");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("EMPTY_SECRET", run.Stderr);
    }

    [Fact]
    public async Task Version_prints_on_stdout()
    {
        var run = await _cli.RunAsync("--version");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+", run.Stdout);
    }
}
