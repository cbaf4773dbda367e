using System.Security.Cryptography;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.EndToEnd.Providers;

/// <summary>
/// The provider profile suite (issue 13, docs/providers.md): one emulation per provider, each the sandbox with that
/// provider's documented quirks (<see cref="SandboxQuirks"/>, sources there), driven through the built CLI with the
/// exact flags docs/providers.md gives, by one shared journey (<see cref="ProviderScenario"/>). Each test asserts what
/// the authorization server saw, so that dropping the quirk's handling in McpAuth makes it fail.
/// </summary>
public sealed class ProviderProfileTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task Entra_id_login_without_resource_and_with_assumed_pkce()
    {
        const string Scope = "api://mcp-sandbox/.default";
        var port = ProviderScenario.FreePort();
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Scopes = [Scope],
                DefaultScope = Scope,
                RefreshTokensRequireOfflineAccess = true, // Entra issues refresh tokens for offline_access only
                Quirks = new SandboxQuirks
                {
                    RejectResourceParameter = true, OmitCodeChallengeMethods = true, NoRegistrationEndpoint = true,
                    NoRevocationEndpoint = true, LoopbackRedirectAnyPort = true,
                },
            },
            // Entra's v2.0 tokens name the API in their audience from the scope, not an RFC 8707 resource.
            McpServer = new SandboxMcpServerOptions { AcceptTokensWithoutAudience = true, RequiredScope = Scope, ScopesSupported = [Scope] },
        });
        world.AddClient("entra-application-id", null, SandboxAuthMethods.None, $"http://127.0.0.1:{port}/callback");

        await world.RunAsync(
            ["--client-id", "entra-application-id", "--callback-port", port.ToString(), "--no-resource", "--assume-pkce", "--scope", Scope + " offline_access"],
            offersRevocation: false);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.AuthorizeParameter("code_challenge")));
        Assert.Equal(0, world.Stats.Get(SandboxCounters.AuthorizeParameter("resource")));
        Assert.Equal(0, world.Stats.Get(SandboxCounters.TokenParameter(SandboxGrantTypes.AuthorizationCode, "resource")));
        Assert.Equal(0, world.Stats.Get(SandboxCounters.TokenParameter(SandboxGrantTypes.RefreshToken, "resource")));
        Assert.Equal(0, world.Stats.Get(SandboxCounters.Registration));
    }

    [Fact]
    public async Task Google_login_with_offline_access_and_a_pinned_issuer()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Quirks = new SandboxQuirks
                {
                    RefreshTokenRequiresAuthorizeParameter = ("access_type", "offline"), IssuerWithTrailingSlashInResourceMetadata = true,
                    NoRegistrationEndpoint = true, LoopbackRedirectAnyPort = true,
                },
            },
        });
        var client = world.AddClient("sandbox.apps.googleusercontent.com", Secret(), SandboxAuthMethods.ClientSecretBasic, "http://127.0.0.1/callback");
        world.SetSecretEnv("GOOGLE_SECRET", "client_secret", client.ClientSecret!);

        await world.RunAsync(
            [
                "--client-id", client.ClientId, "--client-secret-env", "GOOGLE_SECRET",
                "--authorize-param", "access_type=offline", "--authorize-param", "prompt=consent", "--trusted-issuer", world.Issuer,
            ],
            offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.AuthorizeParameter("access_type")));
        Assert.Equal(1, world.Stats.Get(SandboxCounters.AuthorizeParameter("prompt")));
    }

    [Fact]
    public async Task GitHub_login_and_a_dead_refresh_token_answered_with_http_200()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Quirks = new SandboxQuirks { GitHubResponses = true, NoRegistrationEndpoint = true, NoRevocationEndpoint = true, LoopbackRedirectAnyPort = true },
            },
        });
        var client = world.AddClient("Iv1.sandbox", Secret(), SandboxAuthMethods.ClientSecretBasic, "http://127.0.0.1/callback");
        world.SetSecretEnv("GH_SECRET", "client_secret", client.ClientSecret!);

        await world.RunAsync(["--client-id", client.ClientId, "--client-secret-env", "GH_SECRET"], offersRevocation: false,
            beforeLogout: () => DeadRefreshTokenMeansLoginAgainAsync(world, client.ClientId));
    }

    [Fact]
    public async Task Slack_login_with_nested_user_tokens_and_ok_false_errors()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Quirks = new SandboxQuirks { SlackResponses = true, NoRegistrationEndpoint = true, NoRevocationEndpoint = true, LoopbackRedirectAnyPort = true },
            },
        });
        // Slack recommends HTTP Basic for the client id and secret (https://api.slack.com/methods/oauth.v2.access).
        var client = world.AddClient("1234567890.0987654321", Secret(), SandboxAuthMethods.ClientSecretBasic, "http://127.0.0.1/callback");
        world.SetSecretEnv("SLACK_SECRET", "client_secret", client.ClientSecret!);

        await world.RunAsync(["--client-id", client.ClientId, "--client-secret-env", "SLACK_SECRET"], offersRevocation: false,
            beforeLogout: () => DeadRefreshTokenMeansLoginAgainAsync(world, client.ClientId));
    }

    [Fact]
    public async Task Atlassian_login_on_the_registered_callback_port_remembered_for_the_next_login()
    {
        var port = ProviderScenario.FreePort();
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                RefreshTokensRequireOfflineAccess = true, // https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#use-a-refresh-token-to-get-another-access-token-and-refresh-token-pair
                Quirks = new SandboxQuirks { NoRegistrationEndpoint = true, NoRevocationEndpoint = true }, // the port is pinned: exact match
            },
        });
        var client = world.AddClient("atlassian-client-id", Secret(), SandboxAuthMethods.ClientSecretBasic, $"http://127.0.0.1:{port}/callback");
        world.SetSecretEnv("ATL_SECRET", "client_secret", client.ClientSecret!);

        await world.RunAsync(["--client-id", client.ClientId, "--client-secret-env", "ATL_SECRET", "--callback-port", port.ToString()],
            offersRevocation: false,
            beforeLogout: async () =>
            {
                var again = await world.Cli.RunAsync("login", world.Server); // no flags: client, secret and port are remembered
                Assert.True(again.ExitCode == ExitCodes.Ok, "second login: " + again.Stderr);
                Assert.Equal(2, world.Stats.TokenRequests(SandboxGrantTypes.AuthorizationCode));
            });

        Assert.Equal(0, world.Stats.Get(SandboxCounters.Registration));
    }

    [Fact]
    public async Task Notion_login_with_dynamic_registration_and_strict_rotation()
    {
        // Rotation with replay detection: a refresh token used twice revokes the grant (the sandbox's default), so the
        // three concurrent runs must share one refresh. https://developers.notion.com/reference/refresh-a-token
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions());

        await world.RunAsync([], offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.Registration));
    }

    [Fact]
    public async Task Linear_login_with_dynamic_registration_and_a_reuse_grace_window()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Quirks = new SandboxQuirks { RefreshTokenReuseGrace = TimeSpan.FromSeconds(30) }, // https://linear.app/developers/oauth-2-0-authentication
            },
        });

        await world.RunAsync([], offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.Registration));
    }

    [Fact]
    public async Task Auth0_login_with_the_audience_the_mcp_server_checks()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                RefreshTokensRequireOfflineAccess = true, // https://auth0.com/docs/secure/tokens/refresh-tokens/get-refresh-tokens
                Quirks = new SandboxQuirks { AudienceInsteadOfResource = true },
            },
        });

        // The API identifier registered at Auth0 is what the MCP server checks as the audience: here its URL.
        await world.RunAsync(["--audience", world.Server], offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.AuthorizeParameter("audience")));
        Assert.Equal(1, world.Stats.Get(SandboxCounters.TokenParameter(SandboxGrantTypes.AuthorizationCode, "audience")));
    }

    [Fact]
    public async Task Okta_login_registering_with_an_initial_access_token()
    {
        var initialAccessToken = Secret();
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                IssuerPath = "/oauth2/default",
                Quirks = new SandboxQuirks { RegistrationInitialAccessToken = initialAccessToken },
            },
        });
        world.SetSecretEnv("OKTA_IAT", "initial_access_token", initialAccessToken);

        var refused = await world.Cli.RunAsync("login", world.Server);
        Assert.NotEqual(ExitCodes.Ok, refused.ExitCode);
        Assert.Contains("--registration-token-env", refused.Stderr);
        Assert.Contains("--client-id", refused.Stderr);
        world.Stats.Reset();

        await world.RunAsync(["--registration-token-env", "OKTA_IAT"], offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.Registration));
        Assert.Single(world.Sandbox.AuthorizationServer.Clients);
    }

    [Fact]
    public async Task Keycloak_login_with_private_key_jwt()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                IssuerPath = "/realms/mcp",
                Quirks = new SandboxQuirks { PrivateKeyJwt = true, RegistrationInitialAccessToken = Secret(), LoopbackRedirectAnyPort = true },
            },
        });
        using var key = RSA.Create(2048);
        var keyFile = Path.Combine(Path.GetDirectoryName(world.Cli.Home)!, "mcp.pem");
        var pem = key.ExportPkcs8PrivateKeyPem();
        await File.WriteAllTextAsync(keyFile, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite); // the CLI refuses a key others can read
        }
        SuiteCapture.RecordSecret("client_private_key", pem);
        world.AddClient("mcp-cli", null, SandboxAuthMethods.PrivateKeyJwt, "http://127.0.0.1/callback", key.ExportSubjectPublicKeyInfoPem());

        await world.RunAsync(
            ["--client-id", "mcp-cli", "--token-auth-method", "private_key_jwt", "--client-key-file", keyFile], offersRevocation: true);

        Assert.Equal(1, world.Stats.Get(SandboxCounters.TokenParameter(SandboxGrantTypes.AuthorizationCode, "client_assertion")));
        Assert.Equal(3, world.Stats.Get(SandboxCounters.TokenParameter(SandboxGrantTypes.RefreshToken, "client_assertion")));
    }

    [Fact]
    public async Task NetSuite_like_login_with_expires_in_as_a_string_and_null_members()
    {
        await using var world = await ProviderScenario.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new SandboxAuthorizationServerOptions
            {
                Quirks = new SandboxQuirks { NetSuiteResponses = true, NoRegistrationEndpoint = true, LoopbackRedirectAnyPort = true },
            },
        });
        var client = world.AddClient("netsuite-integration", Secret(), SandboxAuthMethods.ClientSecretBasic, "http://127.0.0.1/callback");
        world.SetSecretEnv("NS_SECRET", "client_secret", client.ClientSecret!);

        await world.RunAsync(["--client-id", client.ClientId, "--client-secret-env", "NS_SECRET"], offersRevocation: true);

        var status = await world.Cli.RunAsync("status", "--json");
        Assert.True(status.ExitCode == ExitCodes.Ok, status.Stderr);
    }

    /// <summary>
    /// GitHub and Slack: the user removes the app at the provider; the next refresh is answered HTTP 200 with the
    /// provider's own "dead refresh token" error. <c>token</c> then says "log in again" (exit 4) and does not send the
    /// dead token again on the next run.
    /// </summary>
    private static async Task DeadRefreshTokenMeansLoginAgainAsync(ProviderScenario world, string clientId)
    {
        Assert.Equal(1, world.Sandbox.AuthorizationServer.RevokeClientGrants(clientId));
        await DueTokens.MakeDueAsync(world.Cli.Home);
        var refreshes = world.Refreshes;

        var first = await world.Cli.RunAsync("token", world.Server);
        var second = await world.Cli.RunAsync("token", world.Server);

        Assert.Equal(ExitCodes.LoginNeeded, first.ExitCode);
        Assert.Equal(ExitCodes.LoginNeeded, second.ExitCode);
        Assert.Equal(refreshes + 1, world.Refreshes);
        Assert.Contains("mcpauth login", first.Stderr);
    }

    private static string Secret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}
