using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// A real MCP server on Node 22 for the proxy tests, stopped on dispose: the TypeScript SDK's example Streamable HTTP
/// server (with its OAuth demo provider, or without OAuth), or tests/js/mcp-sse-server.mjs (the legacy HTTP+SSE
/// transport on the SDK's SSEServerTransport, with or without OAuth).
/// </summary>
public sealed partial class NodeMcpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new();

    private NodeMcpServer(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The MCP endpoint (for the HTTP+SSE server, its SSE stream).</summary>
    public Uri Url { get; private set; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// The SDK's example Streamable HTTP server (examples/server/simpleStreamableHttp.js) on free ports given through
    /// its MCP_PORT and MCP_AUTH_PORT variables; with <paramref name="oauth"/>, its OAuth demo authorization server on
    /// the second port. The example listens on every interface and names itself http://localhost:PORT/mcp.
    /// </summary>
    public static Task<NodeMcpServer> StartStreamableExampleAsync(bool oauth)
    {
        var mcpPort = TestTools.FreeLoopbackPort();
        var environment = new Dictionary<string, string>
        {
            ["MCP_PORT"] = mcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MCP_AUTH_PORT"] = TestTools.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var script = TestTools.NodeModule("@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js");
        return StartAsync(script, oauth ? ["--oauth"] : [], environment, ExampleListening(), _ => new Uri($"http://localhost:{mcpPort}/mcp"));
    }

    /// <summary>tests/js/mcp-sse-server.mjs: the legacy HTTP+SSE transport on 127.0.0.1 and a free port.</summary>
    public static Task<NodeMcpServer> StartSseAsync(bool oauth, TimeSpan? tokenLifetime = null, bool rejectTokens = false)
    {
        var args = new List<string>();
        if (rejectTokens)
        {
            args.Add("--reject-tokens");
        }
        if (oauth)
        {
            args.Add("--oauth");
        }
        if (tokenLifetime is { } lifetime)
        {
            args.Add("--token-lifetime");
            args.Add(((int)lifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return StartAsync(Path.Combine(TestTools.JsDirectory, "mcp-sse-server.mjs"), args, new Dictionary<string, string>(), SseListening(),
            m => new Uri($"http://127.0.0.1:{m.Groups[1].Value}/sse"));
    }

    /// <summary>
    /// tests/js/mcp-sse-server.mjs --resumable: Streamable HTTP with sessions and an event store at /mcp, whose tool
    /// <c>interrupted</c> cuts its response stream mid-call (after the priming event) and answers while the client is away.
    /// </summary>
    public static Task<NodeMcpServer> StartResumableAsync() =>
        StartAsync(Path.Combine(TestTools.JsDirectory, "mcp-sse-server.mjs"), ["--resumable"], new Dictionary<string, string>(), SseListening(),
            m => new Uri($"http://127.0.0.1:{m.Groups[1].Value}/mcp"));

    /// <summary>The counters of tests/js/mcp-sse-server.mjs (authorization_code, refresh_token, sse_connections...).</summary>
    public async Task<Dictionary<string, int>> StatsAsync() =>
        (await _http.GetFromJsonAsync<Dictionary<string, int>>(new Uri(Url, "/__stats")))!;

    /// <summary>mcp-sse-server.mjs's /strict endpoint: Streamable HTTP, refusing every request but initialize with HTTP 400.</summary>
    public Uri StrictUrl => new(Url, "/strict");

    /// <summary>The MCP headers /strict saw, one object per request (method, mcp-protocol-version, mcp-method, mcp-name).</summary>
    public async Task<List<Dictionary<string, string?>>> StrictHeadersAsync() =>
        (await _http.GetFromJsonAsync<List<Dictionary<string, string?>>>(new Uri(Url, "/__headers")))!;

    private static async Task<NodeMcpServer> StartAsync(
        string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, Regex ready, Func<Match, Uri> url)
    {
        var info = new ProcessStartInfo(TestTools.NodeBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestTools.JsDirectory,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var server = new NodeMcpServer(process, new Uri("http://127.0.0.1/"));
        var listening = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (server._log)
            {
                server._log.AppendLine(line);
            }
            if (ready.Match(line) is { Success: true } match)
            {
                listening.TrySetResult(match);
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var match = await listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
            server.Url = url(match);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"The MCP server {Path.GetFileName(script)} did not start: {server.Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
    }

    [GeneratedRegex("MCP Streamable HTTP Server listening on port (\\d+)")]
    private static partial Regex ExampleListening();

    [GeneratedRegex("^listening (\\d+)$")]
    private static partial Regex SseListening();
}
