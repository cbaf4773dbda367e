using System.Text.Json;
using McpAuth.Cli.Callback;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Status;
using McpAuth.Cli.Commands.Headers;
using McpAuth.Cli.Commands.Token;
using McpAuth.Storage;

namespace McpAuth.Cli.Tests.Commands;

/// <summary>Each verb's run step over a fake engine, through the real command tree (parse, run, error mapping).</summary>
public sealed class RunStepTests : IDisposable
{
    private const string Server = "https://mcp.example/mcp";
    private readonly TestConsole _console = new();
    private readonly FakeEngine _engine = new();
    private readonly TempHome _home = new();

    public RunStepTests() => _console.Environment["MCPAUTH_HOME"] = _home.Path;

    public void Dispose() => _home.Dispose();

    private Task<int> RunAsync(TextReader? input, params string[] args)
    {
        var cli = _console.Context(input);
        var runners = new CommandRunners
        {
            Login = (o, ct) => new LoginRunner(cli, () => _engine, new BrowserLauncher(_ => "/bin/false")).RunAsync(o, ct),
            Status = (o, ct) => new StatusRunner(cli, () => _engine).RunAsync(o, ct),
            Token = (o, ct) => new TokenRunner(cli, () => _engine).RunAsync(o, ct),
            Logout = (o, ct) => new LogoutRunner(cli, () => _engine).RunAsync(o, ct),
            Import = (o, ct) => new ImportRunner(cli, () => _engine).RunAsync(o, ct),
            Proxy = (_, _) => Task.FromResult(0),
            ImportFromMcpRemote = (_, _) => Task.FromResult(0),
            Headers = (o, ct) => new HeadersRunner(cli, () => _engine).RunAsync(o, ct),
        };
        return CommandTree.InvokeAsync(CommandTree.Build(cli, runners), cli, args, default);
    }

    private Task<int> RunAsync(params string[] args) => RunAsync(null, args);

    [Fact]
    public async Task Token_prints_only_the_token_and_a_newline()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, token: "the-access-token"));

        Assert.Equal(ExitCodes.Ok, await RunAsync("token", Server));
        Assert.Equal("the-access-token\n", _console.Out.ToString());
        Assert.Equal("", _console.Err.ToString());
    }

    [Fact]
    public async Task Headers_prints_only_the_authorization_header_as_a_json_object()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, token: "the-access-token"));

        Assert.Equal(ExitCodes.Ok, await RunAsync("headers", Server));
        Assert.Equal("{\"Authorization\":\"Bearer the-access-token\"}\n", _console.Out.ToString());
        Assert.Equal("", _console.Err.ToString());
    }

    [Fact]
    public async Task Headers_without_a_credential_is_exit_4_with_a_message_on_stderr()
    {
        Assert.Equal(ExitCodes.LoginNeeded, await RunAsync("headers", Server));
        Assert.Equal("", _console.Out.ToString());
        Assert.Contains("mcpauth login", _console.Err.ToString());
    }

    [Fact]
    public async Task Token_without_a_credential_is_exit_4_with_a_message_on_stderr()
    {
        Assert.Equal(ExitCodes.LoginNeeded, await RunAsync("token", Server));
        Assert.Equal("", _console.Out.ToString());
        Assert.Contains("mcpauth login", _console.Err.ToString());
    }

    [Fact]
    public async Task Status_masks_tokens_and_shows_every_column()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, token: "secret-access-token-value", expiresAt: DateTimeOffset.UtcNow.AddMinutes(30)));

        Assert.Equal(ExitCodes.Ok, await RunAsync("status"));

        var table = _console.Out.ToString();
        Assert.DoesNotContain("secret-access-token-value", table);
        Assert.Contains("secr********", table);
        foreach (var expected in new[] { Server, "default", "https://as.example", "client-1", "mcp:read", "valid", "in 29 minutes", "Storage: file (key: key-file, not in OS secret store)" })
        {
            Assert.Contains(expected, table);
        }
    }

    [Fact]
    public async Task Status_show_token_and_json()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, token: "secret-access-token-value"));

        Assert.Equal(ExitCodes.Ok, await RunAsync("status", "--json", "--show-token"));

        using var json = JsonDocument.Parse(_console.Out.ToString());
        var row = json.RootElement.GetProperty("credentials")[0];
        Assert.Equal("secret-access-token-value", row.GetProperty("access_token").GetString());
        Assert.Equal("file", row.GetProperty("storage").GetProperty("backend").GetString());
        Assert.False(json.RootElement.GetProperty("needs_attention").GetBoolean());
    }

    [Fact]
    public async Task Status_is_exit_1_when_a_credential_needs_attention()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, state: CredentialState.NeedsReauthorization));
        _engine.Credentials.Add(FakeEngine.View("https://other.example/mcp"));

        Assert.Equal(ExitCodes.Error, await RunAsync("status"));
        Assert.Contains("needs-login", _console.Out.ToString());
        Assert.Contains("needs a login", _console.Err.ToString());
    }

    [Fact]
    public async Task Status_filters_by_server_and_reports_unreadable_entries()
    {
        _engine.Credentials.Add(FakeEngine.View(Server, state: CredentialState.NeedsReauthorization));
        _engine.Credentials.Add(FakeEngine.View("https://other.example/mcp"));

        Assert.Equal(ExitCodes.Ok, await RunAsync("status", "https://other.example/mcp"));
        Assert.DoesNotContain(Server, _console.Out.ToString());

        _engine.Unreadable = 1;
        Assert.Equal(ExitCodes.Error, await RunAsync("status", "https://other.example/mcp"));
        Assert.Contains("could not be read", _console.Err.ToString());
    }

    [Theory]
    [InlineData(true, false, false, "removed the client registration.")]
    [InlineData(false, true, false, "kept the client registration (another stored credential uses it).")]
    [InlineData(false, false, true, "kept the client registration.")]
    [InlineData(false, false, false, "left the client registration.")]
    public void Logout_says_what_became_of_the_registration(bool removed, bool inUse, bool keep, string expected) =>
        Assert.EndsWith(expected, LogoutRunner.Describe(
            new McpAuth.Cli.Engine.LogoutAction(Server, "default", true, null, true, removed, inUse), keep), StringComparison.Ordinal);

    [Fact]
    public void Logout_says_what_happened_to_each_token_when_only_the_refresh_token_was_revoked()
    {
        var note = "revoked the refresh token; the server does not revoke access tokens (unsupported_token_type), so the access token stays valid until it expires";
        var text = LogoutRunner.Describe(
            new McpAuth.Cli.Engine.LogoutAction(Server, "default", false, note, true, true) { RefreshTokenRevoked = true }, false);

        Assert.Contains($"Logged out of {Server} (profile default): {note}, removed them from the store", text, StringComparison.Ordinal);
        Assert.DoesNotContain("did not revoke", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_says_what_it_did_and_json_lists_it()
    {
        _engine.Credentials.Add(FakeEngine.View(Server));

        Assert.Equal(ExitCodes.Ok, await RunAsync("logout", Server, "--keep-registration", "--json"));

        Assert.Empty(_engine.Credentials);
        Assert.Contains("revoked the tokens at the authorization server, removed them from the store, kept the client registration", _console.Err.ToString());
        using var json = JsonDocument.Parse(_console.Out.ToString());
        Assert.True(json.RootElement.GetProperty("actions")[0].GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Logout_with_nothing_stored_says_so()
    {
        Assert.Equal(ExitCodes.Ok, await RunAsync("logout", "--all"));
        Assert.Contains("Nothing to log out of", _console.Err.ToString());
    }

    [Fact]
    public async Task Import_stores_and_reports_without_printing_the_token()
    {
        _console.Environment["IMPORTED_AT"] = "imported-token-123456";
        Assert.Equal(ExitCodes.Ok, await RunAsync("import", Server, "--access-token-env", "IMPORTED_AT", "--client-id", "app",
            "--expires-at", DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal("imported-token-123456", Assert.Single(_engine.Credentials).AccessToken);
        Assert.DoesNotContain("imported-token-123456", _console.Err.ToString() + _console.Out.ToString());
        Assert.Contains("client app", _console.Err.ToString());
    }

    [Fact]
    public async Task Login_no_browser_prints_the_url_on_stdout_takes_a_pasted_redirect_and_remembers_the_port()
    {
        var pasted = new StringReader($"http://127.0.0.1:1/callback?code=pasted&state={FakeEngine.LoginState}\n");

        Assert.Equal(ExitCodes.Ok, await RunAsync(pasted, "login", Server, "--no-browser", "--json"));

        Assert.Equal("pasted", _engine.LastCallback?.Code);
        var lines = _console.Out.ToString().Split('\n');
        Assert.StartsWith("https://as.example/authorize?", lines[0]);
        using var json = JsonDocument.Parse(string.Join('\n', lines.Skip(1)));
        Assert.Equal("logged_in", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("Logged in to", _console.Err.ToString());
        Assert.NotNull(new CallbackPortMemory(_home.Path).Recall(new Uri(Server), "default"));
    }

    [Fact]
    public async Task Login_failure_from_the_engine_keeps_its_exit_code_and_message()
    {
        _engine.LoginFailure = new McpAuthException(McpAuthErrorCode.AuthorizationDenied) { OAuthError = "access_denied" };
        var pasted = new StringReader($"http://127.0.0.1:1/callback?code=x&state={FakeEngine.LoginState}\n");

        Assert.Equal(ExitCodes.Error, await RunAsync(pasted, "login", Server, "--no-browser"));
        Assert.Contains("access_denied", _console.Err.ToString());
    }

    [Fact]
    public async Task Login_gives_up_after_the_timeout_with_exit_2()
    {
        Assert.Equal(ExitCodes.Cancelled, await RunAsync("login", Server, "--timeout", "1"));
        Assert.Contains("Gave up waiting for the authorization after 1 seconds", _console.Err.ToString());
    }

    [Fact]
    public async Task A_second_login_while_one_is_pending_joins_it()
    {
        var path = LoginLock.PathFor(_home.Path, new Uri(Server), "default");
        var holder = LoginLock.TryAcquire(path, TimeProvider.System)!;
        var second = RunAsync("login", Server);
        await Eventually.UntilAsync(() => _console.Err.ToString().Contains("joining it", StringComparison.Ordinal), "the second login to find the first");
        _engine.Credentials.Add(FakeEngine.View(Server));
        await holder.DisposeAsync();

        Assert.Equal(ExitCodes.Ok, await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _engine.Logins);
        Assert.Contains("joining it", _console.Err.ToString());
        Assert.Contains("Joined the login in progress", _console.Err.ToString());
    }

    [Fact]
    public void The_page_text_for_a_failure_carries_the_server_text_for_encoding()
    {
        var text = CallbackPage.Describe(new McpAuthException(McpAuthErrorCode.AuthorizationDenied)
        {
            OAuthError = "access_denied",
            OAuthErrorDescription = "<script>x</script>",
        });

        Assert.Contains("<script>x</script>", text);
        Assert.DoesNotContain("<script>", CallbackPage.Render(CallbackOutcome.Failure(text)).Html.Replace("<script nonce", "", StringComparison.Ordinal));
    }
}
