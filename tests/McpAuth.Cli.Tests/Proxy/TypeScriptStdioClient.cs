using System.Diagnostics;
using System.Text.Json;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>One answer the TypeScript client printed: its kind (initialized, tools/list, tools/call, error) and value.</summary>
public sealed record ClientAnswer(string Kind, JsonElement Value);

/// <summary>What a run of the TypeScript client saw.</summary>
public sealed record ClientRun(int ExitCode, IReadOnlyList<ClientAnswer> Answers, string Stderr)
{
    public IReadOnlyList<string> Tools => Answers.Single(a => a.Kind == "tools/list").Value.EnumerateArray().Select(t => t.GetString()!).ToList();

    /// <summary>The text of each tools/call answer's first content item, in order.</summary>
    public IReadOnlyList<string> CallTexts => Answers.Where(a => a.Kind == "tools/call")
        .Select(a => a.Value.GetProperty("content")[0].GetProperty("text").GetString()!).ToList();
}

/// <summary>
/// A real MCP stdio client: the TypeScript SDK's <c>Client</c> over <c>StdioClientTransport</c>
/// (tests/js/mcp-stdio-client.mjs), starting <c>mcpauth proxy</c> as Claude Desktop or Cursor would, with a private
/// MCPAUTH_HOME. It calls tools/list, then each tool asked for ("name" or "name:{json arguments}").
/// </summary>
public static class TypeScriptStdioClient
{
    public static async Task<ClientRun> RunAsync(
        string home, IReadOnlyList<string> proxyArgs, IReadOnlyList<string> calls, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? pauseBetweenCalls = null, TimeSpan? timeout = null)
    {
        var info = ReadyLineProcess.StartInfo(TestTools.NodeBinary, TestTools.JsDirectory);
        info.ArgumentList.Add(Path.Combine(TestTools.JsDirectory, "mcp-stdio-client.mjs"));
        foreach (var call in calls)
        {
            info.ArgumentList.Add("--call");
            info.ArgumentList.Add(call);
        }
        if (pauseBetweenCalls is { } pause)
        {
            info.ArgumentList.Add("--pause-ms");
            info.ArgumentList.Add(((int)pause.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(CliProcess.ExecutablePath);
        foreach (var arg in proxyArgs)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["MCPAUTH_HOME"] = home;
        info.Environment["BROWSER"] = "/bin/false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The TypeScript client did not finish. stderr: {CliProcess.WithoutLogLines(await stderr)}");
        }
        var answers = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return new ClientAnswer(json.RootElement.GetProperty("kind").GetString()!, json.RootElement.GetProperty("value").Clone());
        }).ToList();
        return new ClientRun(process.ExitCode, answers, CliProcess.WithoutLogLines(await stderr));
    }
}
