using System.Text.Json;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// What the proxy leaves to the MCP SDK and what it passes through unchanged, seen at a strict Streamable HTTP endpoint
/// (tests/js/mcp-sse-server.mjs /strict) that records the MCP headers and refuses with HTTP 400 and a JSON-RPC error.
/// </summary>
public sealed class ProxyProtocolTests : IDisposable
{
    private const string Meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}";
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task A_server_that_refuses_every_login_gets_three_browser_flows_then_errors_until_a_request_succeeds()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: true, rejectTokens: true);
        var cli = new CliProcess(Path.Combine(_home.Path, "home"));
        cli.Environment["BROWSER"] = await EndToEnd.CurlBrowser.CreateAsync(_home.Path);
        var answers = new List<string>();
        var answered = new SemaphoreSlim(0);

        var run = await cli.RunAsync(["proxy", server.Url.AbsoluteUri, "--transport", "sse-only"], timeout: TimeSpan.FromSeconds(60),
            whileRunning: async process =>
            {
                for (var id = 1; id <= 5; id++)
                {
                    await process.StandardInput.WriteLineAsync(
                        """{"jsonrpc":"2.0","id":""" + id + ""","method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""");
                    await process.StandardInput.FlushAsync();
                    Assert.True(await answered.WaitAsync(TimeSpan.FromSeconds(20)), $"an answer to {id}");
                }
                process.StandardInput.Close();
            },
            stdoutLine: line =>
            {
                lock (answers)
                {
                    answers.Add(line);
                }
                answered.Release();
            });

        Assert.Equal(5, answers.Count);
        Assert.All(answers, a => Assert.Contains("\"error\"", a));
        Assert.Equal(3, (await server.StatsAsync())["authorization_code"]);
        Assert.Contains("refused 3 fresh logins in a row", run.Stderr);
    }

    [Fact]
    public async Task Stateless_2026_07_28_requests_carry_the_mcp_headers_and_a_400_json_rpc_error_reaches_the_client_unchanged()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: false);
        string[] requests =
        [
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{},""" + Meta + "}}",
            """{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///x",""" + Meta + "}}",
        ];
        var answers = new List<string>();
        var answered = new SemaphoreSlim(0);

        var run = await new CliProcess(Path.Combine(_home.Path, "home")).RunAsync(["proxy", server.StrictUrl.AbsoluteUri], timeout: TimeSpan.FromSeconds(30),
            whileRunning: async process =>
            {
                foreach (var request in requests)
                {
                    await process.StandardInput.WriteLineAsync(request);
                    await process.StandardInput.FlushAsync();
                    Assert.True(await answered.WaitAsync(TimeSpan.FromSeconds(20)), "an answer");
                }
                process.StandardInput.Close();
            },
            stdoutLine: line =>
            {
                lock (answers)
                {
                    answers.Add(line);
                }
                answered.Release();
            });

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(2, answers.Count);
        for (var i = 0; i < 2; i++)
        {
            using var answer = JsonDocument.Parse(answers[i]);
            Assert.Equal(i + 1, answer.RootElement.GetProperty("id").GetInt32());
            var error = answer.RootElement.GetProperty("error");
            Assert.Equal(-32602, error.GetProperty("code").GetInt32());
            Assert.Equal("Strict server refuses", error.GetProperty("message").GetString());
            Assert.Equal("string data", error.GetProperty("data").GetString());
        }
        var seen = await server.StrictHeadersAsync();
        Assert.Equal(2, seen.Count);
        Assert.All(seen, h => Assert.Equal("2026-07-28", h["mcp-protocol-version"]));
        Assert.Equal(["tools/call", "resources/read"], seen.Select(h => h["mcp-method"]));
        Assert.Equal(["echo", "file:///x"], seen.Select(h => h["mcp-name"]));
    }
}
