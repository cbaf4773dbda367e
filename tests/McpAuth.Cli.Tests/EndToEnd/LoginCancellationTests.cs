namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary>Ctrl-C and a taken port on a real login process.</summary>
public sealed class LoginCancellationTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [SkippableFact]
    public async Task Ctrl_c_while_waiting_exits_2_and_releases_the_port()
    {
        Skip.If(OperatingSystem.IsWindows(), "Sends SIGINT with kill: Unix only.");
        var port = FreePort();
        var cli = new CliProcess(_home.Path);

        var run = await cli.RunAsync(["login", _sandbox.McpServerUrl.AbsoluteUri, "--no-browser", "--callback-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            whileRunning: async process =>
            {
                await Eventually.UntilAsync(() => IsListeningAsync(port), "the login's callback listener"); // another process opens it
                using var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill!.WaitForExitAsync();
            });

        Assert.Equal(ExitCodes.Cancelled, run.ExitCode);
        Assert.Contains("cancelled", run.Stderr);
        Assert.False(await IsListeningAsync(port));
        using var rebind = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        rebind.Start();
    }

    [Fact]
    public async Task A_configured_port_held_by_another_process_is_named_in_the_error()
    {
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;

        var run = await new CliProcess(_home.Path).RunAsync("login", _sandbox.McpServerUrl.AbsoluteUri, "--callback-port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains($"Callback port {port}", run.Stderr);
        Assert.Contains("already in use", run.Stderr);
    }
}
