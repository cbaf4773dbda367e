using System.Text.Json;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>
/// Provider flags given once, at login, on the built executable against the sandbox: remembered, honoured by a later
/// <c>token</c> refresh (Entra's <c>--no-resource</c> leaves <c>resource</c> out of every refresh) and shown by status.
/// </summary>
public sealed class RememberedLoginSettingsTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private CliProcess _cli = null!;
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(30) },
            // Without resource the tokens carry no audience (as Entra's v2.0 tokens name the API in the scope instead).
            McpServer = new SandboxMcpServerOptions { AcceptTokensWithoutAudience = true },
        });
        var browser = await CurlBrowser.CreateAsync(_home.Path);
        _cli = new CliProcess(Path.Combine(_home.Path, "home"));
        _cli.Environment["BROWSER"] = browser;
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private string Server => _sandbox.McpServerUrl.AbsoluteUri;

    private long Count(string counter) => _sandbox.AuthorizationServer.Stats.Get(counter);

    [Fact]
    public async Task Flags_given_at_login_are_used_by_a_later_refresh_and_shown_by_status()
    {
        var login = await _cli.RunAsync("login", Server, "--no-resource", "--authorize-param", "access_type=offline", "--audience", "api://sandbox");
        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);
        await DueTokens.MakeDueAsync(_cli.Home);

        var token = await _cli.RunAsync("token", Server);

        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.Equal(1, Count(SandboxCounters.AuthorizeParameter("access_type")));
        Assert.Equal(1, Count(SandboxCounters.AuthorizeParameter("audience")));
        Assert.Equal(0, Count(SandboxCounters.AuthorizeParameter("resource")));
        Assert.Equal(1, Count(SandboxCounters.TokenParameter("authorization_code", "audience")));
        Assert.Equal(0, Count(SandboxCounters.TokenParameter("authorization_code", "resource")));
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token"));
        Assert.Equal(0, Count(SandboxCounters.TokenParameter("refresh_token", "resource")));

        var status = await _cli.RunAsync("status", "--json");
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            var settings = json.RootElement.GetProperty("credentials")[0].GetProperty("login_settings");
            Assert.True(settings.GetProperty("omit_resource").GetBoolean());
            Assert.Equal("offline", settings.GetProperty("authorize_parameters").GetProperty("access_type").GetString());
            Assert.Equal("api://sandbox", settings.GetProperty("audience").GetString());
            Assert.True(settings.GetProperty("callback_port").GetInt32() > 0);
        }
        var remembered = Assert.Single(Directory.GetFiles(Path.Combine(_cli.Home, "logins")));
        Assert.DoesNotContain("callback_port", await File.ReadAllTextAsync(remembered));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(remembered));
        }
        var table = await _cli.RunAsync("status");
        Assert.Contains("--no-resource, --authorize-param access_type=offline, --audience api://sandbox", table.Stdout);
    }

    [Fact]
    public async Task Without_the_flags_the_refresh_sends_the_resource()
    {
        var login = await _cli.RunAsync("login", Server);
        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);
        await DueTokens.MakeDueAsync(_cli.Home);

        var token = await _cli.RunAsync("token", Server);

        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.Equal(1, Count(SandboxCounters.TokenParameter("refresh_token", "resource")));
        Assert.Equal(0, Count(SandboxCounters.AuthorizeParameter("access_type")));
    }

    [Fact]
    public async Task A_later_login_overrides_what_is_remembered()
    {
        var first = await _cli.RunAsync("login", Server, "--no-resource", "--audience", "api://one");
        var second = await _cli.RunAsync("login", Server, "--resource", Server, "--audience", "api://two");
        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.Stderr);

        var status = await _cli.RunAsync("status");

        Assert.Contains($"--resource {Server}, --audience api://two", status.Stdout);
        Assert.DoesNotContain("--no-resource", status.Stdout);
        Assert.Equal(1, Count(SandboxCounters.AuthorizeParameter("resource")));
    }
}
