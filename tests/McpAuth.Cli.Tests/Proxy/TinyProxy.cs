using System.Diagnostics;
using System.Net.Sockets;
using McpAuth.IntegrationTests.Fixtures;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// Debian's tinyproxy as a real HTTP forward proxy on 127.0.0.1 (a free port: tinyproxy cannot listen on port 0), with a
/// generated configuration and its own log, which <see cref="RequestLines"/> reads. Stopped on dispose. The configuration
/// has no ConnectPort line, so CONNECT (HTTPS_PROXY) is allowed to any port, the tests' HTTPS servers' free ports included
/// (Debian's default configuration allows only 443 and 563).
/// </summary>
public sealed class TinyProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private TinyProxy(Process process, string folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    /// <summary>The proxy's URL, for HTTP_PROXY.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The requests tinyproxy forwarded, as it logged them ("POST http://127.0.0.1:1234/sse HTTP/1.1", or for HTTPS the
    /// tunnel "CONNECT 127.0.0.1:1234 HTTP/1.1").
    /// </summary>
    public IReadOnlyList<string> RequestLines
    {
        get
        {
            var log = Path.Combine(_folder, "tinyproxy.log");
            return File.Exists(log)
                ? File.ReadAllLines(log).Where(l => l.Contains("]: Request (", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("): ", StringComparison.Ordinal) + 3)..]).ToList()
                : [];
        }
    }

    public static async Task<TinyProxy> StartAsync(string folder)
    {
        var binary = File.Exists("/usr/bin/tinyproxy")
            ? "/usr/bin/tinyproxy"
            : throw new InvalidOperationException($"tinyproxy is missing: {TestTools.InstallHint}.");
        var port = TestTools.FreeLoopbackPort();
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 600
            LogFile "{Path.Combine(folder, "tinyproxy.log")}"
            LogLevel Connect
            MaxClients 50
            Allow 127.0.0.1
            DisableViaHeader Yes

            """);
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-d", "-c", config })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("tinyproxy did not start");
        var proxy = new TinyProxy(process, folder, new Uri($"http://127.0.0.1:{port}"));
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return proxy;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await proxy.DisposeAsync();
        throw new InvalidOperationException("tinyproxy did not listen");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
