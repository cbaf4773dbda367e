using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Tests.Callback;

/// <summary>
/// A test with its own loopback listener on a free port (outcome wait 5 s) and an HTTP client, made before each test
/// and disposed after it (the listener first, so its port is free again).
/// </summary>
/// <param name="followRedirects">Whether the client follows redirects as a browser does.</param>
public abstract class ListenerTest(bool followRedirects = false) : IAsyncLifetime
{
    protected HttpClient Http { get; } =
        new(new HttpClientHandler { AllowAutoRedirect = followRedirects }) { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>The listener; a test may replace it (the last one is disposed).</summary>
    protected LoopbackCallbackListener Listener { get; set; } = null!;

    public async Task InitializeAsync() =>
        Listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { OutcomeWait = TimeSpan.FromSeconds(5) }, new PendingFlowRegistry(TimeProvider.System), default);

    public async Task DisposeAsync()
    {
        await Listener.DisposeAsync();
        Http.Dispose();
    }
}
