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
}
