using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Engine;

namespace McpAuth.Cli.Tests.Coordination;

public sealed class LoginSettingsMemoryTests : IDisposable
{
    private static readonly Uri Server = new("https://mcp.example/mcp");
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private static LoginSettings Entra => new()
    {
        ClientId = "app", HasClientSecret = true, TokenAuthMethod = "client_secret_post", OmitResource = true, AssumePkce = true,
        AuthorizeParameters = new Dictionary<string, string> { ["access_type"] = "offline" }, Audience = "api://x",
        TrustedIssuer = "https://issuer.example/", ClientKeyFile = "/keys/k.pem", ClientKeyAlgorithm = "ES256", CallbackPort = 8765,
    };

    [Fact]
    public void Settings_are_remembered_per_server_and_profile_without_the_port()
    {
        var memory = new LoginSettingsMemory(_home.Path);

        memory.Remember(Server, "work", Entra);

        Assert.Equal(Entra with { CallbackPort = null }, memory.Recall(Server, "work"));
        Assert.True(memory.Recall(Server, "default").IsEmpty);
        Assert.True(memory.Recall(new Uri("https://other.example/mcp"), "work").IsEmpty);
    }

    [Fact]
    public void A_corrupt_file_reads_as_nothing_remembered()
    {
        var memory = new LoginSettingsMemory(_home.Path);
        memory.Remember(Server, "default", Entra);
        File.WriteAllText(Assert.Single(Directory.GetFiles(Path.Combine(_home.Path, "logins"))), "{not json");

        Assert.True(memory.Recall(Server, "default").IsEmpty);
    }

    [Fact]
    public void A_later_login_overrides_what_it_gives_and_keeps_the_rest()
    {
        var merged = Entra.Merge(new LoginSettings { Resource = new Uri("api://y"), Audience = "api://z" });

        Assert.Equal(new Uri("api://y"), merged.Resource);
        Assert.Null(merged.OmitResource); // a resource choice replaces the other one
        Assert.Equal("api://z", merged.Audience);
        Assert.Equal("app", merged.ClientId);
        Assert.True(merged.AssumePkce);
        Assert.Equal("offline", merged.AuthorizeParameters!["access_type"]);
        Assert.Equal(Entra with { CallbackPort = null }, Entra.Merge(LoginSettings.Empty));
    }

    [Fact]
    public void The_settings_set_the_librarys_authorization_options()
    {
        var authorization = new AuthorizationOptions();

        Entra.ApplyTo(authorization);

        Assert.True(authorization.OmitResource && authorization.AssumePkceS256);
        Assert.Equal("api://x", authorization.Audience);
        Assert.Equal("https://issuer.example/", authorization.TrustedIssuer);
        Assert.Equal("offline", authorization.ExtraParameters["access_type"]);
        authorization.Validate(new McpAuth.Http.OAuthHttpOptions());
    }

    [Fact]
    public void A_key_given_by_environment_variable_is_remembered_by_its_name_and_read_again_by_every_later_engine()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        var memory = new LoginSettingsMemory(_home.Path);
        memory.Remember(Server, "default", new LoginSettings { ClientId = "app", TokenAuthMethod = "private_key_jwt", ClientKeyEnv = "APP_KEY" });

        var remembered = memory.Recall(Server, "default");
        var withKey = McpAuth.Cli.Engine.CliEngine.Options("default", new Uri("http://127.0.0.1/callback"), remembered, null, null, null,
            name => name == "APP_KEY" ? pem : null);
        var withoutKey = McpAuth.Cli.Engine.CliEngine.Options("default", new Uri("http://127.0.0.1/callback"), remembered, null, null, null,
            _ => null);

        Assert.Equal("APP_KEY", remembered.ClientKeyEnv);
        Assert.Contains(("--client-key-env", "APP_KEY"), remembered.Describe());
        Assert.DoesNotContain(pem, File.ReadAllText(Directory.GetFiles(Path.Combine(_home.Path, "logins")).Single()), StringComparison.Ordinal);
        Assert.NotNull(withKey.Client.Key);
        Assert.Equal("app", withKey.Client.PreRegistered?.ClientId);
        Assert.Null(withoutKey.Client.Key);
    }

    [Fact]
    public void A_key_given_one_way_replaces_a_key_remembered_the_other_way()
    {
        var byFile = new LoginSettings { ClientKeyFile = "/keys/k.pem", ClientKeyAlgorithm = "ES256" };

        var byEnv = byFile.Merge(new LoginSettings { ClientKeyEnv = "APP_KEY" });
        var backToFile = byEnv.Merge(new LoginSettings { ClientKeyFile = "/keys/other.pem" });

        Assert.Equal((null, "APP_KEY", null), (byEnv.ClientKeyFile, byEnv.ClientKeyEnv, byEnv.ClientKeyAlgorithm));
        Assert.Equal(("/keys/other.pem", (string?)null), (backToFile.ClientKeyFile, backToFile.ClientKeyEnv));
    }
}
