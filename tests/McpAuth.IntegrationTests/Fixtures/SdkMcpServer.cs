using System.Diagnostics;
using System.Text.Json;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>How to start tests/SdkServer (see its Program.cs).</summary>
/// <param name="SessionMode">"stateless" (2026-07-28) or "stateful".</param>
/// <param name="AuthorizationServer">"openiddict" (in the same process) or an outside issuer (oidc-provider).</param>
/// <param name="AccessTokenLifetime">OpenIddict's access token lifetime in seconds.</param>
/// <param name="ClientId">OpenIddict's pre-registered confidential client.</param>
/// <param name="ClientSecret">Its secret (passed in the environment, never on the command line).</param>
/// <param name="RedirectUri">Its one registered redirect URI.</param>
/// <param name="RequireDPoP">
/// <c>--dpop required</c>: RFC 9728 <c>dpop_bound_access_tokens_required</c>, and only DPoP-bound tokens with a valid proof
/// are accepted (tests/SdkServer/DPoPBoundTokens.cs).
/// </param>
public sealed record SdkServerSettings(
    string SessionMode, string AuthorizationServer, int AccessTokenLifetime = 300,
    string? ClientId = null, string? ClientSecret = null, string? RedirectUri = null, bool RequireDPoP = false);

/// <summary>
/// The official MCP C# SDK server (ModelContextProtocol.AspNetCore 2.4.0, tests/SdkServer) on 127.0.0.1 on a free port:
/// JWT bearer validation, RFC 9728 metadata and the SDK's 401 challenge, behind OpenIddict (same process) or an outside
/// issuer. Ready (started and warmed up) in about 5 s on an idle machine, much longer on a loaded one. Disposing stops it.
/// </summary>
public sealed class SdkMcpServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private ReadyLineProcess? _process;

    private SdkMcpServer()
    {
    }

    /// <summary>The MCP endpoint.</summary>
    public string McpUrl { get; private set; } = string.Empty;

    /// <summary>The issuer its resource metadata names.</summary>
    public string Issuer { get; private set; } = string.Empty;

    /// <summary>What the server wrote on stderr.</summary>
    public string Log => _process?.Log ?? string.Empty;

    /// <summary>tests/SdkServer's built assembly, in the configuration the tests were built in.</summary>
    public static string AssemblyPath
    {
        get
        {
            // .../tests/McpAuth.IntegrationTests/bin/<Configuration>/net10.0/
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent?.Name ?? "Release";
            var path = Path.Combine(TestTools.RepoRoot, "tests", "SdkServer", "bin", configuration, framework.Name, "SdkServer.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"tests/SdkServer is not built ({path}): build McpAuth.slnx.");
        }
    }

    public static async Task<SdkMcpServer> StartAsync(SdkServerSettings settings)
    {
        var server = new SdkMcpServer();
        try
        {
            await server.StartCoreAsync(settings);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(SdkServerSettings settings)
    {
        var start = ReadyLineProcess.StartInfo("dotnet");
        var port = TestTools.FreeLoopbackPort();
        string[] args =
        [
            AssemblyPath, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--session-mode", settings.SessionMode, "--authorization-server", settings.AuthorizationServer,
            "--access-token-lifetime", settings.AccessTokenLifetime.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (settings.ClientId is not null && settings.RedirectUri is not null)
        {
            start.ArgumentList.Add("--client-id");
            start.ArgumentList.Add(settings.ClientId);
            start.ArgumentList.Add("--redirect-uri");
            start.ArgumentList.Add(settings.RedirectUri);
        }
        if (settings.RequireDPoP)
        {
            start.ArgumentList.Add("--dpop");
            start.ArgumentList.Add("required");
        }
        start.Environment["OIDC_SECRET_LEDGER"] = SuiteCapture.NewLedgerPath("openiddict"); // for the secret sweep
        if (settings.ClientSecret is not null)
        {
            start.Environment["SDKSERVER_CLIENT_SECRET"] = settings.ClientSecret;
            SuiteCapture.RecordSecret("client_secret", settings.ClientSecret);
        }
        var (process, ready) = await ReadyLineProcess.StartAsync(start, "SdkServer", StartTimeout, TimeSpan.FromSeconds(5));
        _process = process;
        using var _ = ready;
        McpUrl = ready.RootElement.GetProperty("mcp").GetString()!;
        Issuer = ready.RootElement.GetProperty("issuer").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
