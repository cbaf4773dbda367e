using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpAuth.Cli;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Commands.Logout;
using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;
using McpAuth.Sandbox;

namespace McpAuth.Demo;

/// <summary>
/// <c>mcpauth-demo</c>: starts the embedded sandbox (authorization server + protected MCP server on 127.0.0.1) and
/// walks through a login, an authorized MCP call, a refresh and a logout with the real CLI steps, in a throw-away
/// McpAuth home (your own credentials are never touched). Steps go to stdout (JSON with --json); prose to stderr.
/// </summary>
public sealed class DemoRunner(CliContext cli)
{
    public async Task<int> RunAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var home = Path.Combine(Path.GetTempPath(), $"mcpauth-demo-{Guid.NewGuid():N}");
        var steps = new List<DemoStep>();
        try
        {
            var clock = new DemoClock(cli.Time);
            await using var sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
            {
                AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = TimeSpan.FromMinutes(10), TimeProvider = clock },
            }, cancellationToken).ConfigureAwait(false);
            var demo = new DemoSteps(cli, Isolated(home, clock), sandbox, clock, options.Json ? null : cli.Out, steps);
            await demo.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(home);
        }
        if (options.Json)
        {
            await cli.Out.WriteLineAsync(JsonSerializer.Serialize(steps, DemoJsonContext.Default.ListDemoStep)).ConfigureAwait(false);
        }
        return steps.All(s => s.Ok) ? ExitCodes.Ok : ExitCodes.Error;
    }

    private CliContext Isolated(string home, TimeProvider clock) => new()
    {
        Out = TextWriter.Null,
        Err = cli.Err,
        In = TextReader.Null,
        Environment = name => name == "MCPAUTH_HOME" ? home
            : name is "BROWSER" or "MCPAUTH_BROWSER" || StoreSettings.Variables.Contains(name) ? null : cli.Environment(name),
        IsInteractive = false,
        UseColor = cli.UseColor,
        Time = clock,
    };

    private static void TryDelete(string home)
    {
        try
        {
            if (Directory.Exists(home))
            {
                Directory.Delete(home, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder; the OS cleans it.
        }
    }
}

/// <summary>One step of the demo, as printed and as JSON.</summary>
public sealed record DemoStep(int Number, string Title, bool Ok, string Detail);

/// <summary>Source-generated JSON for --json, written like the CLI's (snake_case, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<DemoStep>))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;

/// <summary>The four steps, each with the real CLI machinery against the sandbox.</summary>
internal sealed class DemoSteps(
    CliContext cli, CliContext isolated, Sandbox.Sandbox sandbox, DemoClock clock, TextWriter? print, List<DemoStep> steps)
{
    private readonly Uri _server = sandbox.McpServerUrl;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await AddAsync("Sandbox started", true,
            $"authorization server {sandbox.AuthorizationServer.IssuerIdentifier}, MCP server {_server}").ConfigureAwait(false);
        using var http = new HttpClient();
        var browser = new HttpFollowingBrowser(http);
        var login = await new LoginRunner(isolated, () => EngineFactory.Create(isolated), browser)
            .RunAsync(new LoginOptions { Server = _server, Timeout = TimeSpan.FromSeconds(30) }, cancellationToken).ConfigureAwait(false);
        await browser.WaitAsync().ConfigureAwait(false);
        await using var engine = EngineFactory.Create(isolated);
        var first = login == ExitCodes.Ok ? await engine.GetAccessTokenAsync(_server.OriginalString, "default", cancellationToken).ConfigureAwait(false) : null;
        await AddAsync("Login (discovery, dynamic registration, PKCE, loopback redirect)", first is not null,
            first is null ? "the login failed (see above)" : $"stored a token for {_server} (token {TokenMask.Mask(first)})").ConfigureAwait(false);
        if (first is null)
        {
            return;
        }
        var call = await CallAsync(http, first, cancellationToken).ConfigureAwait(false);
        await AddAsync("Authorized MCP call (tools/call whoami)", call.Ok, call.Detail).ConfigureAwait(false);
        clock.Advance(TimeSpan.FromMinutes(11));
        var expired = await CallAsync(http, first, cancellationToken).ConfigureAwait(false);
        var second = await engine.GetAccessTokenAsync(_server.OriginalString, "default", cancellationToken).ConfigureAwait(false);
        var refreshes = sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token");
        var again = await CallAsync(http, second, cancellationToken).ConfigureAwait(false);
        await AddAsync("Refresh (clock moved 11 minutes: the token expired; refresh_token grant, rotated refresh token saved)",
            second != first && refreshes == 1 && again.Ok,
            $"the old token got {expired.Detail}; new token {TokenMask.Mask(second)} after {refreshes} refresh request; the call again: {again.Detail}")
            .ConfigureAwait(false);
        var actions = await engine.LogoutAsync(new LogoutOptions(_server, "default", false, false, false), cancellationToken).ConfigureAwait(false);
        var after = await CallAsync(http, second, cancellationToken).ConfigureAwait(false);
        var detail = string.Join(" ", actions.Select(a => LogoutRunner.Describe(a, false))) + $" The old token now gets: {after.Detail}";
        await AddAsync("Logout (RFC 7009 revocation, store cleared)", actions.Any(a => a.Revoked && a.Cleared) && !after.Ok, detail).ConfigureAwait(false);
    }

    private async Task<(bool Ok, string Detail)> CallAsync(HttpClient http, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _server)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (false, $"HTTP {(int)response.StatusCode}");
        }
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var text = body.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("content", out var content)
            ? content[0].GetProperty("text").GetString() : body.RootElement.GetRawText();
        return (true, $"HTTP 200, the server sees {TerminalText.Sanitize(text, 200)}");
    }

    private async Task AddAsync(string title, bool ok, string detail)
    {
        var step = new DemoStep(steps.Count + 1, title, ok, detail);
        steps.Add(step);
        if (print is not null)
        {
            await print.WriteLineAsync($"{step.Number}. {(ok ? cli.Green("ok") : cli.Red("FAILED"))}  {title}").ConfigureAwait(false);
            await print.WriteLineAsync($"   {detail}").ConfigureAwait(false);
        }
    }
}

/// <summary>The demo's clock, shared by the sandbox and the CLI, so the demo can skip ahead to a token's expiry.</summary>
internal sealed class DemoClock(TimeProvider inner) : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
