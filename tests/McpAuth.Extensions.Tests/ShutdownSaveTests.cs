using McpAuth.Engine;
using McpAuth.Extensions.DependencyInjection;
using McpAuth.IntegrationTests.Fixtures;
using McpAuth.Sandbox;
using McpAuth.StoreContract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpAuth.Extensions.Tests;

/// <summary>
/// A host that stops while its store cannot take a rotated refresh token (disk full, database read-only) would lose the
/// only copy: disposing the container waits for the background save, bounded by <c>Refresh.ExitSaveWait</c>.
/// </summary>
public sealed class ShutdownSaveTests : IAsyncLifetime
{
    private McpAuth.Sandbox.Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await McpAuth.Sandbox.Sandbox.StartAsync(new SandboxOptions
    {
        AuthorizationServer = new SandboxAuthorizationServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(2) },
    });

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task Disposing_the_container_waits_for_a_rotated_token_the_store_has_not_taken_yet()
    {
        var store = new FlakyWritesStore();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(SuiteLoggerFactory.Instance);
        services.AddMcpAuth(options => options.Client.RedirectUri = new Uri("http://127.0.0.1:1/callback")).UseStore(_ => store);
        services.AddSingleton<IAuthorizationInteraction>(_ => new HeadlessAuthorizationInteraction(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })));
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<McpAuthClient>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var start = await client.BeginAuthorizationAsync(_sandbox.McpServerUrl, timeout.Token);
        using (var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            var callback = (await browser.GetAsync(start.AuthorizationUrl, timeout.Token)).Headers.Location!;
            await client.CompleteAuthorizationAsync(callback, timeout.Token);
        }
        await Task.Delay(TimeSpan.FromSeconds(2.2), timeout.Token); // the 2 s access token is now expired
        store.FailNextWrites = int.MaxValue;

        var refreshed = await client.GetAccessTokenAsync(_sandbox.McpServerUrl, timeout.Token);
        Assert.Equal(1, client.UnsavedCredentials);
        var shutdown = provider.DisposeAsync().AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        Assert.False(shutdown.IsCompleted); // the only copy of the rotated refresh token is in this process
        store.FailNextWrites = 0;
        await shutdown.WaitAsync(timeout.Token);

        Assert.Equal(0, client.UnsavedCredentials);
        Assert.True(store.FailedWrites > 0);
        Assert.Equal(1, _sandbox.AuthorizationServer.Stats.TokenRequests("refresh_token"));
        Assert.False(string.IsNullOrEmpty(refreshed.Value));
    }
}
