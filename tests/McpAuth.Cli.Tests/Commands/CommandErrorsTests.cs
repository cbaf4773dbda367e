using McpAuth.Cli.Commands;

namespace McpAuth.Cli.Tests.Commands;

public sealed class CommandErrorsTests
{
    private readonly TestConsole _console = new();

    private Task<int> RunAsync(Func<CancellationToken, Task<int>> run, CancellationToken token = default) =>
        CommandErrors.RunAsync(_console.Context(), run, token);

    [Theory]
    [InlineData(null, null, "mcpauth login <server-url>")]
    [InlineData("https://mcp.example/mcp", "default", "mcpauth login https://mcp.example/mcp")]
    [InlineData("https://mcp.example/mcp", "work", "mcpauth login https://mcp.example/mcp --profile work")]
    [InlineData("https://mcp.example/mcp?tenant=a&x=1", null, "mcpauth login 'https://mcp.example/mcp?tenant=a&x=1'")]
    [InlineData("https://mcp.example/it's", "my team", "mcpauth login 'https://mcp.example/it'\\''s' --profile 'my team'")]
    public void A_login_needed_names_the_login_to_run_ready_for_a_shell(string? server, string? profile, string expected) =>
        Assert.Equal(expected, CommandErrors.LoginCommand(server, profile));

    [Theory]
    [InlineData(McpAuthErrorCode.LoginRequired, ExitCodes.LoginNeeded)]
    [InlineData(McpAuthErrorCode.InvalidGrant, ExitCodes.LoginNeeded)]
    [InlineData(McpAuthErrorCode.InteractionRequired, ExitCodes.LoginNeeded)]
    [InlineData(McpAuthErrorCode.Cancelled, ExitCodes.Cancelled)]
    [InlineData(McpAuthErrorCode.TemporarilyUnavailable, ExitCodes.Error)]
    [InlineData(McpAuthErrorCode.StoreEntryCorrupt, ExitCodes.Error)]
    [InlineData(McpAuthErrorCode.DPoPNotSupported, ExitCodes.Error)]
    public async Task Engine_failures_map_to_documented_exit_codes(McpAuthErrorCode code, int expected)
    {
        Assert.Equal(expected, await RunAsync(_ => throw new McpAuthException(code)));
        Assert.Contains(code.ToString(), _console.Err.ToString());
        Assert.Equal("", _console.Out.ToString());
    }

    [Fact]
    public async Task A_dpop_bound_credential_asked_for_as_a_bare_token_is_exit_5_naming_the_proxy_and_not_a_login()
    {
        Assert.Equal(ExitCodes.DPoPRequired, await RunAsync(_ => throw Cli.Commands.Token.TokenVerbCommand.DPoPRequired()));

        var said = _console.Err.ToString();
        Assert.StartsWith("mcpauth: this server requires DPoP-bound tokens", said, StringComparison.Ordinal);
        Assert.Contains("mcpauth proxy", said, StringComparison.Ordinal);
        Assert.DoesNotContain("mcpauth login", said, StringComparison.Ordinal);
        Assert.Equal("", _console.Out.ToString());
    }

    [Fact]
    public async Task A_tls_failure_says_which_variable_adds_a_ca()
    {
        Assert.Equal(ExitCodes.Error, await RunAsync(_ => throw new McpAuthException(McpAuthErrorCode.TlsFailure, "https://mcp.example.com/")));

        Assert.Contains("(TlsFailure: https://mcp.example.com/)", _console.Err.ToString());
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS to a PEM file", _console.Err.ToString());
    }

    [Fact]
    public async Task Server_text_is_stripped_of_terminal_escapes()
    {
        var error = new McpAuthException(McpAuthErrorCode.OAuthError) { OAuthError = "invalid_scope", OAuthErrorDescription = "bad\u001b[31m red" };

        await RunAsync(_ => throw error);

        Assert.DoesNotContain("\u001b", _console.Err.ToString());
        Assert.Contains("invalid_scope", _console.Err.ToString());
    }

    [Fact]
    public async Task Cancellation_is_exit_2()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        Assert.Equal(ExitCodes.Cancelled, await RunAsync(ct => Task.FromCanceled<int>(ct), cancel.Token));
    }

    [Fact]
    public async Task A_cli_failure_keeps_its_exit_code()
    {
        Assert.Equal(ExitCodes.Cancelled, await RunAsync(_ => throw new CliException("gave up", ExitCodes.Cancelled)));
        Assert.Contains("mcpauth: gave up", _console.Err.ToString());
    }
}
