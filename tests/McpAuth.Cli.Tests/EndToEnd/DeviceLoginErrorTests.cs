namespace McpAuth.Cli.Tests.EndToEnd;

/// <summary><c>mcpauth login --device</c> against an authorization server without a device endpoint (the sandbox's).</summary>
public sealed class DeviceLoginErrorTests : IAsyncLifetime
{
    private readonly TempHome _home = new();
    private Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.Sandbox.StartAsync();

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task A_server_without_device_authorization_gets_a_clear_error()
    {
        var run = await new CliProcess(_home.Path).RunAsync("login", _sandbox.McpServerUrl.AbsoluteUri, "--device");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("does not support the device authorization grant", run.Stderr);
        Assert.Equal("", run.Stdout);
    }
}
