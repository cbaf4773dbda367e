using McpAuth.Cli.Tests.EndToEnd;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// HTTPS_PROXY and custom CA bundles through a real forward proxy (tinyproxy on loopback, CONNECT): the sandbox's MCP
/// and authorization servers serve HTTPS on 127.0.0.1 with a certificate of a CA made in the test, which no system
/// store trusts. <c>mcpauth proxy</c>, <c>login</c> and <c>token</c> reach them through tinyproxy, trusting the CA
/// through MCPAUTH_EXTRA_CA_CERTS (added to the system roots), mcp-remote's NODE_EXTRA_CA_CERTS, or OpenSSL's
/// SSL_CERT_FILE (replacing them); without it, the error is typed and names the variable.
/// </summary>
public sealed class ForwardProxyTlsTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private TinyProxy _proxy = null!;
    private Sandbox.Sandbox _sandbox = null!;
    private string _caPem = null!;
    private string _browser = null!;

    private string Home => Path.Combine(_home.Path, "home");

    private Uri McpUrl => _sandbox.McpServerUrl;

    public async Task InitializeAsync()
    {
        _proxy = await TinyProxy.StartAsync(Path.Combine(_home.Path, "tinyproxy"));
        _sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { TlsCertificate = _ca.ServerCertificate },
            McpServer = new() { TlsCertificate = _ca.ServerCertificate },
        });
        _caPem = _ca.WriteRootPem(Path.Combine(_home.Path, "test-ca.pem"));
        // The user's browser trusts the CA too, and reaches the loopback callback directly.
        _browser = await CurlBrowser.CreateAsync(_home.Path, $"--cacert '{_caPem}' --noproxy '*'");
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await _proxy.DisposeAsync();
        _ca.Dispose();
        _home.Dispose();
    }

    private Dictionary<string, string> Environment(string? caVariable) => new()
    {
        ["BROWSER"] = _browser,
        ["HTTPS_PROXY"] = _proxy.Url.AbsoluteUri,
        ["NO_PROXY"] = "",
        [caVariable ?? "MCPAUTH_TEST_UNUSED"] = caVariable is null ? "" : _caPem,
    };

    [Theory]
    [InlineData("MCPAUTH_EXTRA_CA_CERTS")]
    [InlineData("NODE_EXTRA_CA_CERTS")]
    [InlineData("SSL_CERT_FILE")]
    public async Task Proxy_logs_in_and_calls_a_tool_through_connect_trusting_the_ca_bundle(string caVariable)
    {
        var run = await TypeScriptStdioClient.RunAsync(Home, ["proxy", McpUrl.AbsoluteUri], ["whoami"], Environment(caVariable));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("sandbox-user", Assert.Single(run.CallTexts));
        Assert.Contains("asks for authorization; logging in", run.Stderr);
        var tunnels = _proxy.RequestLines.Where(l => l.StartsWith("CONNECT ", StringComparison.Ordinal)).ToList();
        Assert.Contains($"CONNECT 127.0.0.1:{McpUrl.Port} HTTP/1.1", tunnels);
        Assert.Contains($"CONNECT 127.0.0.1:{_sandbox.AuthorizationServer.MetadataUrl.Port} HTTP/1.1", tunnels);
        Assert.DoesNotContain(_proxy.RequestLines, l => !l.StartsWith("CONNECT ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_and_a_refresh_by_token_go_through_connect_with_the_extra_ca()
    {
        var cli = new CliProcess(Home);
        foreach (var (name, value) in Environment("MCPAUTH_EXTRA_CA_CERTS"))
        {
            cli.Environment[name] = value;
        }

        var login = await cli.RunAsync("login", McpUrl.AbsoluteUri);
        await DueTokens.MakeDueAsync(Home);
        var token = await cli.RunAsync("token", McpUrl.AbsoluteUri);

        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);
        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.TokenGrant("refresh_token")));
        Assert.Contains($"CONNECT 127.0.0.1:{_sandbox.AuthorizationServer.MetadataUrl.Port} HTTP/1.1", _proxy.RequestLines);
    }

    [Fact]
    public async Task Without_the_ca_the_proxy_and_login_fail_with_a_tls_error_that_names_the_variable()
    {
        var proxy = await TypeScriptStdioClient.RunAsync(Home, ["proxy", McpUrl.AbsoluteUri], [], Environment(null));
        var cli = new CliProcess(Home);
        foreach (var (name, value) in Environment(null))
        {
            cli.Environment[name] = value;
        }
        var login = await cli.RunAsync("login", McpUrl.AbsoluteUri);

        Assert.Equal(1, proxy.ExitCode);
        Assert.Contains("mcpauth proxy: initialize: The TLS handshake failed", proxy.Stderr);
        Assert.Contains("(TlsFailure)", proxy.Stderr);
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS to a PEM file", proxy.Stderr);
        Assert.Equal(ExitCodes.Error, login.ExitCode);
        Assert.Contains("The TLS handshake failed", login.Stderr);
        Assert.Contains("(TlsFailure: https://127.0.0.1:", login.Stderr);
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS to a PEM file", login.Stderr);
        Assert.Equal(0, _sandbox.AuthorizationServer.Stats.Get(SandboxCounters.Token));
    }

    [Fact]
    public async Task A_ca_variable_naming_a_missing_file_is_refused_with_its_name_and_one_without_a_certificate_trusts_nothing_more()
    {
        var missing = Path.Combine(_home.Path, "missing.pem");
        var empty = Path.Combine(_home.Path, "empty.pem");
        await File.WriteAllTextAsync(empty, "not a certificate\n");
        var cli = new CliProcess(Home);
        foreach (var (name, value) in Environment(null))
        {
            cli.Environment[name] = value;
        }

        cli.Environment["MCPAUTH_EXTRA_CA_CERTS"] = missing;
        var refused = await cli.RunAsync("login", McpUrl.AbsoluteUri);
        cli.Environment["MCPAUTH_EXTRA_CA_CERTS"] = empty;
        var untrusted = await cli.RunAsync("login", McpUrl.AbsoluteUri);

        Assert.Equal(ExitCodes.Error, refused.ExitCode);
        Assert.Contains($"MCPAUTH_EXTRA_CA_CERTS: {missing} does not exist; set it to a PEM file of the certificate authorities to trust, or unset it.", refused.Stderr);
        Assert.Equal(ExitCodes.Error, untrusted.ExitCode);
        Assert.Contains("(TlsFailure: https://127.0.0.1:", untrusted.Stderr);
        Assert.Contains("set MCPAUTH_EXTRA_CA_CERTS to a PEM file", untrusted.Stderr);
    }
}
