using System.CommandLine;
using McpAuth.Cli.Commands;
using McpAuth.Cli.Commands.Import;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Commands.Proxy;
using McpAuth.Cli.Commands.Status;
using McpAuth.Cli.Commands.Token;

namespace McpAuth.Cli.Tests.Commands;

/// <summary>Each verb's parse step, and dispatch to its run step, without running anything.</summary>
public sealed class ParseStepTests
{
    private readonly TestConsole _console = new();
    private object? _received;

    private async Task<(int Code, T Options)> DispatchAsync<T>(params string[] args)
    {
        var cli = _console.Context(new StringReader("token-from-stdin\n"));
        Task<int> Record(object options)
        {
            _received = options;
            return Task.FromResult(7);
        }
        var runners = new CommandRunners
        {
            Login = (o, _) => Record(o), Status = (o, _) => Record(o), Token = (o, _) => Record(o), Logout = (o, _) => Record(o),
            Import = (o, _) => Record(o), Proxy = (o, _) => Record(o), Headers = (o, _) => Record(o), ImportFromMcpRemote = (o, _) => Record(o),
        };
        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, runners), cli, args, default);
        return (code, Assert.IsType<T>(_received));
    }

    [Fact]
    public async Task Login_reads_every_option()
    {
        _console.Environment["SECRET_VAR"] = "s3cret";

        var (code, options) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--profile", "work", "--client-id", "app",
            "--client-secret-env", "SECRET_VAR", "--scope", "read write", "--callback-host", "localhost", "--callback-port", "8765",
            "--callback-path", "/cb", "--no-browser", "--replace", "--timeout", "30", "--json");

        Assert.Equal(7, code);
        Assert.Equal(new Uri("https://mcp.example/mcp"), options.Server);
        Assert.Equal("work", options.Profile);
        Assert.Equal("app", options.ClientId);
        Assert.Equal("s3cret", options.ClientSecret);
        Assert.Equal("read write", options.Scope);
        Assert.Equal("localhost", options.Callback.Host);
        Assert.Equal(8765, options.Callback.Port);
        Assert.Equal("/cb", options.Callback.Path);
        Assert.True(options.NoBrowser && options.Replace && options.Json);
        Assert.False(options.Device);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.DoesNotContain("s3cret", options.ToString());
    }

    [Fact]
    public async Task Login_defaults()
    {
        var (_, options) = await DispatchAsync<LoginOptions>("login", "http://127.0.0.1:9/mcp");

        Assert.Equal("default", options.Profile);
        Assert.Null(options.ClientId);
        Assert.Null(options.Callback.Port);
        Assert.Equal("127.0.0.1", options.Callback.Host);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Timeout);
    }

    [Theory]
    [InlineData("--client-secret-env", "UNSET_VAR", "--client-id", "c")]
    [InlineData("--callback-host", "0.0.0.0", "--json", "")]
    [InlineData("--callback-port", "0", "--json", "")]
    [InlineData("--client-metadata-url", "http://insecure.example/client.json", "--json", "")]
    public async Task Login_refuses_bad_values_with_exit_1(string option, string value, string other, string otherValue)
    {
        var cli = _console.Context();
        var runners = Failing();
        string[] args = otherValue.Length == 0
            ? ["login", "https://mcp.example/mcp", option, value, other]
            : ["login", "https://mcp.example/mcp", option, value, other, otherValue];

        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, runners), cli, args, default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains(option, _console.Err.ToString());
    }

    [Fact]
    public async Task Login_refuses_a_secret_without_a_client_id()
    {
        _console.Environment["S"] = "x";
        var cli = _console.Context();

        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli,
            ["login", "https://mcp.example/mcp", "--client-secret-env", "S"], default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("--client-id", _console.Err.ToString());
    }

    [Fact]
    public async Task Login_reads_the_provider_flags()
    {
        _console.Environment["SECRET_VAR"] = "s3cret";
        _console.Environment["IAT"] = "initial-access-token";

        var (_, options) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--client-id", "app",
            "--client-secret-env", "SECRET_VAR", "--token-auth-method", "client_secret_post", "--no-resource",
            "--authorize-param", "access_type=offline", "--authorize-param", "prompt=consent", "--audience", "https://api.example",
            "--assume-pkce", "--trusted-issuer", "https://accounts.example/", "--registration-token-env", "IAT", "--new-registration");

        var settings = options.Settings;
        Assert.Equal("app", settings.ClientId);
        Assert.True(settings.HasClientSecret);
        Assert.Equal("client_secret_post", settings.TokenAuthMethod);
        Assert.True(settings.OmitResource);
        Assert.Null(settings.Resource);
        Assert.Equal(new Dictionary<string, string> { ["access_type"] = "offline", ["prompt"] = "consent" }, settings.AuthorizeParameters);
        Assert.Equal("https://api.example", settings.Audience);
        Assert.True(settings.AssumePkce);
        Assert.Equal("https://accounts.example/", settings.TrustedIssuer);
        Assert.Equal("initial-access-token", options.RegistrationToken);
        Assert.True(options.NewRegistration);
        Assert.DoesNotContain("initial-access-token", options.ToString());
        Assert.DoesNotContain("s3cret", options.ToString());
    }

    [Fact]
    public async Task Login_takes_mcp_remotes_name_for_no_resource_and_a_resource_url()
    {
        var (_, omitted) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--disable-resource-parameter");
        Assert.True(omitted.Settings.OmitResource);

        var (_, chosen) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--resource", "api://my-api");
        Assert.Equal(new Uri("api://my-api"), chosen.Settings.Resource);
        Assert.Null(chosen.Settings.OmitResource);
        Assert.True(LoginSettings.Empty.IsEmpty);
    }

    [Theory]
    [InlineData("--resource and --no-resource exclude each other", "--resource", "https://a.example", "--no-resource")]
    [InlineData("--resource must be an absolute URI", "--resource", "not a uri")]
    [InlineData("--authorize-param takes name=value", "--authorize-param", "novalue")]
    [InlineData("'state' is set by McpAuth itself", "--authorize-param", "state=x")]
    [InlineData("use --audience", "--authorize-param", "audience=x")]
    [InlineData("--token-auth-method must be one of", "--client-id", "app", "--token-auth-method", "tls_client_auth")]
    [InlineData("--token-auth-method needs --client-id", "--token-auth-method", "none")]
    [InlineData("needs the client secret", "--client-id", "app", "--token-auth-method", "client_secret_basic")]
    [InlineData("private_key_jwt needs a key", "--client-id", "app", "--token-auth-method", "private_key_jwt")]
    [InlineData("--trusted-issuer must be an http(s) URL", "--trusted-issuer", "accounts.example")]
    [InlineData("--registration-token takes only '-'", "--registration-token", "plain-secret")]
    [InlineData("--client-key-env: the environment variable UNSET_KEY is not set", "--client-id", "app", "--client-key-env", "UNSET_KEY")]
    [InlineData("--client-key-alg must be RS256 or ES256", "--client-key-alg", "HS256")]
    [InlineData("--client-key-alg needs --client-key-file", "--client-key-alg", "RS256")]
    [InlineData("--client-key-file: /nonexistent/key.pem does not exist", "--client-id", "app", "--client-key-file", "/nonexistent/key.pem")]
    [InlineData("--audience must not be empty", "--audience", "")]
    public async Task Login_refuses_bad_provider_flags_with_a_message_naming_the_flag(string message, params string[] flags)
    {
        var cli = _console.Context();

        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli, ["login", "https://mcp.example/mcp", .. flags], default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains(message, _console.Err.ToString());
        Assert.DoesNotContain("plain-secret", _console.Err.ToString());
    }

    [Fact]
    public async Task Login_reads_a_private_client_key_file_and_picks_the_algorithm_by_key_type()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var path = WriteKey(ec.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var (_, options) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--client-id", "app",
                "--token-auth-method", "private_key_jwt", "--client-key-file", path);

            Assert.Equal("ES256", options.ClientKey!.Algorithm);
            Assert.Equal(path, options.Settings.ClientKeyFile);
            Assert.DoesNotContain("PRIVATE KEY", options.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Login_reads_an_rsa_key_from_the_environment_as_rs256()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        _console.Environment["KEY_PEM"] = rsa.ExportPkcs8PrivateKeyPem();

        var (_, options) = await DispatchAsync<LoginOptions>("login", "https://mcp.example/mcp", "--client-id", "app", "--client-key-env", "KEY_PEM");

        Assert.Equal("RS256", options.ClientKey!.Algorithm);
        Assert.Null(options.Settings.ClientKeyFile);
    }

    [Fact]
    public async Task Login_refuses_a_client_key_file_others_can_read()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var path = WriteKey(ec.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        try
        {
            var cli = _console.Context();
            var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli,
                ["login", "https://mcp.example/mcp", "--client-id", "app", "--client-key-file", path], default);

            Assert.Equal(ExitCodes.Error, code);
            Assert.Contains("can be read or written by other users; make it private with chmod 600", _console.Err.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Login_refuses_a_key_that_does_not_fit_the_algorithm()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        _console.Environment["KEY_PEM"] = ec.ExportPkcs8PrivateKeyPem();
        var cli = _console.Context();

        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli,
            ["login", "https://mcp.example/mcp", "--client-id", "app", "--client-key-env", "KEY_PEM", "--client-key-alg", "RS256"], default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("RS256 does not fit an EC key", _console.Err.ToString());
        Assert.DoesNotContain("PRIVATE KEY", _console.Err.ToString());
    }

    private static string WriteKey(string pem, UnixFileMode mode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mcpauth-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
        return path;
    }

    [Fact]
    public async Task Status_server_and_profile_are_optional_filters()
    {
        var (_, all) = await DispatchAsync<StatusOptions>("status");
        Assert.Null(all.Server);
        Assert.Null(all.Profile);

        var (_, one) = await DispatchAsync<StatusOptions>("status", "https://mcp.example/mcp", "-p", "work", "--show-token", "--json");
        Assert.Equal(new StatusOptions(new Uri("https://mcp.example/mcp"), "work", true, true), one);
    }

    [Fact]
    public async Task Token_reads_server_and_profile()
    {
        var (_, options) = await DispatchAsync<TokenOptions>("token", "https://mcp.example/mcp", "--profile", "ci");
        Assert.Equal(new TokenOptions("https://mcp.example/mcp", "ci"), options);
    }

    [Fact]
    public async Task Logout_needs_a_server_or_all()
    {
        var (_, all) = await DispatchAsync<LogoutOptions>("logout", "--all", "--keep-registration");
        Assert.True(all.All && all.KeepRegistration);
        Assert.Null(all.Server);

        var cli = _console.Context();
        Assert.Equal(ExitCodes.Error, await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli, ["logout"], default));
    }

    [Fact]
    public async Task Import_reads_tokens_and_expiry_and_can_take_the_token_from_stdin()
    {
        _console.Environment["RT_VAR"] = "rt";
        var (_, options) = await DispatchAsync<ImportOptions>("import", "https://mcp.example/mcp", "--access-token", "-",
            "--refresh-token-env", "RT_VAR", "--expires-at", "1795000000", "--client-id", "app", "--token-endpoint", "https://as.example/token",
            "--scope", "a b");

        Assert.Equal("token-from-stdin", options.AccessToken);
        Assert.Equal("rt", options.RefreshToken);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795000000), options.ExpiresAt);
        Assert.Equal(new Uri("https://as.example/token"), options.TokenEndpoint);
        Assert.DoesNotContain("token-from-stdin", options.ToString());
    }

    [Theory]
    [InlineData("--access-token", "plain-access-token")]
    [InlineData("--refresh-token", "plain-refresh-token")]
    [InlineData("--client-secret", "plain-client-secret")]
    public async Task Import_refuses_a_secret_given_as_a_plain_argument_and_names_the_forms_that_work(string option, string secret)
    {
        var cli = _console.Context();
        string[] args = option == "--access-token"
            ? ["import", "https://mcp.example/mcp", "--client-id", "app", option, secret]
            : ["import", "https://mcp.example/mcp", "--client-id", "app", "--access-token", "-", option, secret];
        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli, args, default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains($"{option}-env VAR", _console.Err.ToString());
        Assert.DoesNotContain(secret, _console.Err.ToString() + _console.Out.ToString());
    }

    [Fact]
    public async Task Import_refuses_two_secrets_from_stdin()
    {
        var cli = _console.Context();
        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli,
            ["import", "https://mcp.example/mcp", "--client-id", "app", "--access-token", "-", "--refresh-token", "-"], default);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("Only one secret can be read from stdin", _console.Err.ToString());
    }

    [Fact]
    public async Task Import_requires_the_access_token_and_client_id()
    {
        var cli = _console.Context();
        var code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli, ["import", "https://mcp.example/mcp"], default);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("--client-id", _console.Err.ToString());

        code = await CommandTree.InvokeAsync(CommandTree.Build(cli, Failing()), cli, ["import", "https://mcp.example/mcp", "--client-id", "c"], default);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("--access-token", _console.Err.ToString());
    }

    [Fact]
    public async Task Proxy_reads_headers_and_refuses_authorization()
    {
        var (_, options) = await DispatchAsync<ProxyOptions>("proxy", "https://mcp.example/mcp", "-H", "X-Tenant: acme", "--header", "X-Two:2");
        Assert.Equal([new("X-Tenant", "acme"), new("X-Two", "2")], options.Headers);
        Assert.Equal(ProxyTransport.HttpFirst, options.Transport);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Login.Timeout);

        Assert.Throws<CliException>(() => ProxyCommand.ParseHeader("Authorization: Bearer x"));
        Assert.Throws<CliException>(() => ProxyCommand.ParseHeader("no colon"));
        Assert.Throws<CliException>(() => ProxyCommand.ParseHeader("Bad Name: v"));
    }

    [Fact]
    public async Task Proxy_takes_the_login_options_the_transport_and_auth_timeout()
    {
        var (_, options) = await DispatchAsync<ProxyOptions>("proxy", "https://mcp.example/mcp", "--transport", "sse-only", "--auth-timeout", "30",
            "--client-id", "app", "--callback-port", "8765", "--scope", "mcp:read", "--no-browser", "-p", "work");

        Assert.Equal(ProxyTransport.SseOnly, options.Transport);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Login.Timeout);
        Assert.Equal("app", options.Login.ClientId);
        Assert.Equal(8765, options.Login.Callback.Port);
        Assert.Equal("mcp:read", options.Login.Scope);
        Assert.True(options.Login.NoBrowser);
        Assert.Equal("work", options.Profile);
        Assert.Equal("work", options.Login.Profile);
        Assert.Throws<CliException>(() => ProxyCommand.ParseTransport("websocket"));
    }

    [Fact]
    public void Proxy_header_values_expand_environment_variables_and_name_a_missing_one()
    {
        var environment = new Dictionary<string, string?> { ["API_KEY"] = "s3cret", ["TENANT"] = "acme" };
        string? Lookup(string name) => environment.GetValueOrDefault(name);

        Assert.Equal(new("X-Api-Key", "Key s3cret for acme"), ProxyCommand.ParseHeader("X-Api-Key: Key ${API_KEY} for ${TENANT}", Lookup));
        Assert.Equal(new("X-Literal", "$API_KEY {x}"), ProxyCommand.ParseHeader("X-Literal: $API_KEY {x}", Lookup));
        var missing = Assert.Throws<CliException>(() => ProxyCommand.ParseHeader("X-Api-Key: ${MISSING}", Lookup));
        Assert.Contains("MISSING", missing.Message);
        Assert.DoesNotContain("s3cret", Assert.Throws<CliException>(() => ProxyCommand.ParseHeader("Authorization: ${API_KEY}", Lookup)).Message);
    }

    private static CommandRunners Failing() => new()
    {
        Login = (_, _) => throw new InvalidOperationException("must not run"),
        Status = (_, _) => throw new InvalidOperationException("must not run"),
        Token = (_, _) => throw new InvalidOperationException("must not run"),
        Logout = (_, _) => throw new InvalidOperationException("must not run"),
        Import = (_, _) => throw new InvalidOperationException("must not run"),
        Proxy = (_, _) => throw new InvalidOperationException("must not run"),
        Headers = (_, _) => throw new InvalidOperationException("must not run"),
        ImportFromMcpRemote = (_, _) => throw new InvalidOperationException("must not run"),
    };
}
