using System.Diagnostics;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// The real mcp-remote 0.15.1 (npm, tests/js/node_modules/mcp-remote) on Node 22: its client (mcp-remote-client)
/// logs in to a server and lists its tools, writing its store under <c>MCP_REMOTE_CONFIG_DIR</c>. The browser is this
/// fixture: it follows the authorization URL mcp-remote prints, and the redirect lands on mcp-remote's own listener.
/// </summary>
public static class McpRemote
{
    /// <summary>Runs mcp-remote-client for <paramref name="serverUrl"/> with <paramref name="arguments"/> until it exits.</summary>
    public static async Task<string> LogInAsync(string configDirectory, string serverUrl, params string[] arguments)
    {
        var info = ReadyLineProcess.StartInfo(TestTools.NodeBinary, TestTools.JsDirectory);
        info.ArgumentList.Add(TestTools.NodeModule("mcp-remote/dist/client.js"));
        info.ArgumentList.Add(serverUrl);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["MCP_REMOTE_CONFIG_DIR"] = configDirectory;
        info.Environment["BROWSER"] = "/bin/false";
        info.Environment["PATH"] = "/usr/bin:/bin"; // no xdg-open: mcp-remote prints the URL and waits
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mcp-remote did not start");
        var log = new System.Text.StringBuilder();
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = false;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            lock (log)
            {
                log.AppendLine(line);
            }
            if (next && line.StartsWith("http", StringComparison.Ordinal))
            {
                url.TrySetResult(line.Trim());
            }
            next |= line.Contains("Please authorize this client by visiting:", StringComparison.Ordinal);
            if (line.Contains("Waiting for authorization", StringComparison.Ordinal))
            {
                listening.TrySetResult(); // its callback listener is up (it prints the URL before starting it)
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using (var browser = new HttpClient())
        {
            var authorize = await url.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var response = await browser.GetAsync(authorize);
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        await stdout;
        lock (log)
        {
            return log.ToString();
        }
    }
}
