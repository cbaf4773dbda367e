using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using McpAuth.Cli.Coordination;

namespace McpAuth.Cli.Tests.Proxy;

/// <summary>
/// A proxy ends with its client: stdin closing while a login waits for the browser ends the process within a few
/// seconds, with the callback port free and the login lock released (before, it lived on for up to 5 minutes).
/// </summary>
public sealed partial class ProxyLifetimeTests : IDisposable
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Closing_stdin_during_a_pending_login_ends_the_proxy_frees_the_port_and_releases_the_lock()
    {
        await using var server = await NodeMcpServer.StartSseAsync(oauth: true);
        var home = Path.Combine(_home.Path, "home");
        var cli = new CliProcess(home); // BROWSER=/bin/false: nobody completes the login, which waits (--auth-timeout 300)
        var redirect = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closedAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();

        var run = await cli.RunAsync(["proxy", server.Url.AbsoluteUri, "--auth-timeout", "300"], Initialize + "\n", TimeSpan.FromSeconds(30),
            whileRunning: async process =>
            {
                var uri = await redirect.Task.WaitAsync(TimeSpan.FromSeconds(20));
                Assert.False(IsFree(uri.Port), "the listener waits on the callback port");
                Assert.Null(LoginLock.TryAcquire(LoginLock.PathFor(home, server.Url, "default"), TimeProvider.System));
                closedAt = clock.Elapsed;
                process.StandardInput.Close();
            },
            stderrLine: line =>
            {
                if (RedirectUri().Match(line) is { Success: true } m)
                {
                    redirect.TrySetResult(new Uri(Uri.UnescapeDataString(m.Groups[1].Value)));
                }
            });
        var exitedAfter = clock.Elapsed - closedAt;

        Assert.True(exitedAfter < TimeSpan.FromSeconds(3), $"exited {exitedAfter.TotalMilliseconds:F0} ms after stdin closed");
        Assert.True(IsFree((await redirect.Task).Port), "the callback port is free");
        await using var lockAgain = LoginLock.TryAcquire(LoginLock.PathFor(home, server.Url, "default"), TimeProvider.System);
        Assert.NotNull(lockAgain);
        Assert.DoesNotContain("\"result\"", run.Stdout);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex("redirect_uri=([^&\\s]+)")]
    private static partial Regex RedirectUri();
}
