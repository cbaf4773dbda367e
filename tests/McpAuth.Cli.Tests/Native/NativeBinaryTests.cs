using System.Globalization;
using System.Text.Json;
using McpAuth.Cli.Tests.EndToEnd;
using McpAuth.Sandbox;

namespace McpAuth.Cli.Tests.Native;

/// <summary>
/// The shipped NativeAOT <c>mcpauth</c> (not the apphost the other end-to-end tests run) against the embedded
/// sandbox: <c>login</c> (a curl stand-in browser, the loopback listener), <c>token</c>, <c>logout</c>, <c>import</c> and
/// <c>status</c>. What trimming or AOT could break at run time (source-generated JSON, the command tree, the store's
/// cryptography, the loopback redirect listener) runs here.
/// Secrets reach the binary on stdin, never on its command line.
/// </summary>
public sealed class NativeBinaryTests : IAsyncLifetime
{
    private const string AccessToken = "native-imported-access-token";
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions());

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private string Server => _sandbox.McpServerUrl.AbsoluteUri;

    private CliProcess Native() => new(Path.Combine(_home.Path, "home")) { Executable = NativeExecutable() };

    [NativeBinaryFact]
    public async Task Is_a_native_executable_named_mcpauth()
    {
        var path = NativeExecutable();

        Assert.Equal(OperatingSystem.IsWindows() ? "mcpauth.exe" : "mcpauth", Path.GetFileName(path));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "McpAuth.Cli.dll")), "a NativeAOT publish runs without the managed assembly");
        var help = await Native().RunAsync("--help");
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("token", help.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The start-up the benchmarks measure depends on the layout McpAuth.Cli.csproj asks for: on Linux an ELF executable
    /// of type EXEC (not position-independent, so the loader rewrites nothing before Main; SECURITY.md, "The native
    /// executable"). A change to the publish that brings back the position-independent default fails here.
    /// </summary>
    [NativeBinaryFact(LinuxOnly = true)]
    public void Is_laid_out_to_start_without_rewriting_itself()
    {
        Span<byte> header = stackalloc byte[18];
        using (var file = File.OpenRead(NativeExecutable()))
        {
            file.ReadExactly(header);
        }

        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), "not an ELF file");
        const ushort executable = 2; // e_type ET_EXEC (ET_DYN, 3, is position-independent)
        var type = BitConverter.ToUInt16(header[16..18]);
        Assert.True(type == executable,
            $"ELF type {type}, not {executable} (EXEC): a position-independent build (scripts/publish-native --pie) is not the shipped layout");
    }

    [NativeBinaryFact]
    public async Task Login_through_the_loopback_listener_then_token_then_logout_revokes_it()
    {
        var cli = Native();
        cli.Environment["BROWSER"] = await CurlBrowser.CreateAsync(_home.Path);

        var login = await cli.RunAsync("login", Server);
        var token = await cli.RunAsync("token", Server);
        var issued = await _sandbox.AuthorizationServer.TokenValidator.ValidateAsync(token.Stdout.TrimEnd('\n'), default);
        var logout = await cli.RunAsync("logout", Server);
        var revoked = await _sandbox.AuthorizationServer.TokenValidator.ValidateAsync(token.Stdout.TrimEnd('\n'), default);
        var after = await cli.RunAsync("token", Server);

        Assert.True(login.ExitCode == ExitCodes.Ok, login.Stderr);
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.TokenRequests("authorization_code"));
        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.NotNull(issued);
        Assert.True(logout.ExitCode == ExitCodes.Ok, logout.Stderr);
        Assert.Null(revoked);
        Assert.Equal(ExitCodes.LoginNeeded, after.ExitCode);
    }

    [NativeBinaryFact]
    public async Task Import_then_token_prints_the_token_and_status_masks_it()
    {
        var cli = Native();
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var import = await cli.RunAsync(
            ["import", Server, "--access-token", "-", "--client-id", "native-client", "--expires-at", expires], stdin: AccessToken + "\n");
        var token = await cli.RunAsync("token", Server);
        var status = await cli.RunAsync("status", "--json");

        Assert.True(import.ExitCode == ExitCodes.Ok, import.Stderr);
        Assert.True(token.ExitCode == ExitCodes.Ok, token.Stderr);
        Assert.Equal(AccessToken + "\n", token.Stdout);
        Assert.True(status.ExitCode == ExitCodes.Ok, status.Stderr);
        Assert.DoesNotContain(AccessToken, status.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(status.Stdout);
        var row = Assert.Single(json.RootElement.GetProperty("credentials").EnumerateArray());
        Assert.Equal(_sandbox.AuthorizationServer.IssuerIdentifier, row.GetProperty("issuer").GetString());
        Assert.Equal("native-client", row.GetProperty("client_id").GetString());
    }

    [NativeBinaryFact]
    public async Task Token_for_a_server_with_no_credential_exits_4()
    {
        var token = await Native().RunAsync("token", Server);

        Assert.Equal(ExitCodes.LoginNeeded, token.ExitCode);
        Assert.Empty(token.Stdout);
        Assert.Contains("mcpauth login", token.Stderr, StringComparison.Ordinal);
    }

    private static string NativeExecutable()
    {
        var path = Path.GetFullPath(NativeBinaryFactAttribute.Path!);
        Assert.True(File.Exists(path), $"{NativeBinaryFactAttribute.Variable} names {path}, which does not exist");
        return path;
    }
}
