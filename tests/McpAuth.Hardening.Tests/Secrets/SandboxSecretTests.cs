using System.Text;
using McpAuth.Hardening.Tests.Hostile;
using McpAuth.Hardening.Tests.Infrastructure;
using McpAuth.Sandbox;
using McpAuth.Storage;
using McpAuth.Storage.Keys;

namespace McpAuth.Hardening.Tests.Secrets;

/// <summary>
/// Flows against the Sandbox and hostile servers with logging at Trace: no access token, refresh token, client secret,
/// authorization code or PKCE verifier appears in a log line or an exception's Message or ToString.
/// </summary>
public sealed class SandboxSecretTests : IDisposable
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
    private readonly string _home = Path.Combine(Path.GetTempPath(), "mcpauth-hardening", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Authorization_refresh_and_invalid_grant_against_the_sandbox_leak_nothing()
    {
        await using var sandbox = await McpAuth.Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { AccessTokenLifetime = TimeSpan.FromSeconds(30) },
        });
        var time = new FastForwardTimeProvider();
        using var rig = new ClientRig(time: time);
        var errors = new List<Exception>();
        using var mcp = rig.McpHttp(sandbox.McpServerUrl);
        await PostAsync(mcp, sandbox.McpServerUrl);
        var server = sandbox.McpServerUrl;
        time.Advance(TimeSpan.FromSeconds(25)); // inside the refresh margin (a quarter of 30 s): each use refreshes
        await rig.Client.GetAccessTokenAsync(server, CancellationToken.None);
        var stale = Assert.Single((await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        time.Advance(TimeSpan.FromSeconds(25));
        await rig.Client.GetAccessTokenAsync(server, CancellationToken.None);

        // invalid_grant: a stale copy (its refresh token already rotated) comes back, as from a restored backup.
        var current = Assert.Single((await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials);
        await rig.Vault.SaveCredentialAsync(stale with { Generation = current.Generation + 1 }, CancellationToken.None);
        var later = rig.NewClient();
        errors.AddIfNotNull(await LeakCheck.Catch(() => later.GetAccessTokenAsync(server, CancellationToken.None)));
        Assert.Equal(McpAuthErrorCode.LoginRequired, Assert.IsType<McpAuthException>(Assert.Single(errors)).Code);
        await PostAsync(mcp, server); // authorizes again through the 401

        // The sandbox registers McpAuth as a public client (no secret); the hostile-server test below covers client secrets.
        await LeakCheck.AssertNoSecretLeakedAsync(rig, errors, ["access_token", "refresh_token", "code", "code_verifier"]);
    }

    [Fact]
    public async Task Server_errors_that_echo_secrets_leak_nothing()
    {
        await using var world = await World.StartAsync();
        world.As.ExpiresIn = 30;
        var time = new FastForwardTimeProvider();
        using var rig = new ClientRig(time: time);
        var errors = new List<Exception>();
        await rig.AuthorizeAsync(world.Mcp.Url);
        time.Advance(TimeSpan.FromSeconds(31));
        var refreshToken = Assert.Single((await rig.Vault.ListCredentialsAsync(CancellationToken.None)).Credentials).Tokens.RefreshToken!;
        // A hostile server pastes the refresh token into its error, its headers and a 500 page.
        world.As.Server.On("POST", "/token", c => Respond.Json(c, $$"""{"error":"server_error","error_description":"refresh token {{refreshToken}} broke us"}""", 500));
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.Client.GetAccessTokenAsync(world.Mcp.Url, CancellationToken.None)));
        world.As.Server.On("POST", "/token", c =>
        {
            c.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{refreshToken}\", realm=\"{refreshToken}\"";
            c.Response.StatusCode = 401;
            return Task.CompletedTask;
        });
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.Client.GetAccessTokenAsync(world.Mcp.Url, CancellationToken.None)));
        world.As.Server.On("POST", "/token", c => Respond.Json(c, $$"""{"error":"invalid_grant","error_description":"{{refreshToken}}"}""", 400));
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.Client.GetAccessTokenAsync(world.Mcp.Url, CancellationToken.None)));
        // Code redemption refused with the code and verifier echoed back.
        world.As.Server.On("POST", "/token", async c =>
        {
            var form = await c.Request.ReadFormAsync();
            await Respond.Json(c, $$"""{"error":"invalid_grant","error_description":"code {{form["code"]}} verifier {{form["code_verifier"]}}"}""", 400);
        });
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.AuthorizeAsync(world.Mcp.Url)));
        world.As.Server.On("POST", "/token", c => Respond.Json(c, $$"""{"access_token":{{new string('1', 50)}},"refresh_token":"{{refreshToken}}"}"""));
        errors.AddIfNotNull(await LeakCheck.Catch(() => rig.AuthorizeAsync(world.Mcp.Url)));

        Assert.Equal(
            [McpAuthErrorCode.TemporarilyUnavailable, McpAuthErrorCode.OAuthError, McpAuthErrorCode.LoginRequired, McpAuthErrorCode.InvalidGrant, McpAuthErrorCode.InvalidResponse],
            errors.Select(e => Assert.IsType<McpAuthException>(e).Code));
        await LeakCheck.AssertNoSecretLeakedAsync(rig, errors, ["access_token", "refresh_token", "code", "code_verifier", "client_secret"]);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_full_flow_into_the_file_store_writes_private_files_without_clear_text_tokens()
    {
        await using var sandbox = await McpAuth.Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { AccessTokenLifetime = TimeSpan.FromSeconds(30) },
        });
        var store = FileTokenStore.Open(new FileTokenStoreOptions { Home = _home, KeyProtectors = [new KeyFileProtector(Path.Combine(_home, "store.key"))] });
        using var rig = new ClientRig(store: store);
        using var mcp = rig.McpHttp(sandbox.McpServerUrl);
        await PostAsync(mcp, sandbox.McpServerUrl);
        await rig.Client.GetAccessTokenAsync(sandbox.McpServerUrl, CancellationToken.None); // a refresh, written again
        await rig.Secrets.AddStoredAsync(rig.Vault);
        rig.Secrets.AddCallbacks(rig.Interaction.Callbacks);
        Assert.Contains("refresh_token", rig.Secrets.Kinds);

        var files = Directory.EnumerateFiles(_home, "*", SearchOption.AllDirectories).ToList();
        var folders = Directory.EnumerateDirectories(_home, "*", SearchOption.AllDirectories).Append(_home).ToList();
        Assert.True(files.Count >= 4, string.Join(", ", files));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.All(folders, d => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(d)));
        var contents = files.Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))).ToList();
        Assert.All(rig.Secrets.Secrets.Keys, secret => Assert.DoesNotContain(contents, text => text.Contains(secret, StringComparison.Ordinal)));
        Assert.DoesNotContain(contents, text => text.Contains(sandbox.McpServerUrl.Host + ":" + sandbox.McpServerUrl.Port, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static async Task PostAsync(HttpClient mcp, Uri server)
    {
        using var content = new StringContent(Initialize, Encoding.UTF8, "application/json");
        content.Headers.ContentType!.Parameters.Clear();
        using var request = new HttpRequestMessage(HttpMethod.Post, server) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await mcp.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"MCP answered {(int)response.StatusCode}");
    }
}

internal static class ExceptionListExtensions
{
    public static void AddIfNotNull(this List<Exception> list, Exception? e)
    {
        if (e is not null)
        {
            list.Add(e);
        }
    }
}
