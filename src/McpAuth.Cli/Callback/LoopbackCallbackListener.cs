using System.Net;
using System.Net.Sockets;
using McpAuth.Engine;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The loopback redirect listener (RFC 8252 §7.3): a real HTTP server (<see cref="LoopbackHttpServer"/>, plain sockets)
/// bound to a loopback address only. Several flows share it: each response is handed to the engine's
/// <see cref="PendingFlowRegistry"/>, which routes it by <c>state</c> to the flow waiting for it; unknown, expired or
/// replayed states get a 400 page. The page then says how the engine finished the flow. Disposing it stops the server
/// and releases the port.
/// </summary>
public sealed class LoopbackCallbackListener : IAsyncDisposable
{
    private static readonly KeyValuePair<string, string>[] AllowGet = [new("Allow", "GET")];

    private readonly LoopbackListenerOptions _options;
    private LoopbackHttpServer? _server;

    private LoopbackCallbackListener(LoopbackListenerOptions options, PendingFlowRegistry registry)
    {
        _options = options;
        Registry = registry;
    }

    /// <summary>The engine's registry of the flows this listener delivers to (share it with the engine).</summary>
    public PendingFlowRegistry Registry { get; }

    /// <summary>The port actually bound.</summary>
    public int Port { get; private set; }

    /// <summary>True when the previous port was taken and a free one was used instead (a new registration is needed).</summary>
    public bool PortChanged { get; private set; }

    /// <summary>The redirect URI to register and send in authorization requests.</summary>
    public Uri RedirectUri { get; private set; } = null!;

    /// <summary>
    /// Binds the listener: the configured port, else the previous port, else a free one.
    /// </summary>
    /// <exception cref="CliException">The configured port is taken (the message names it and, when known, its holder).</exception>
    public static Task<LoopbackCallbackListener> StartAsync(
        LoopbackListenerOptions options, PendingFlowRegistry registry, CancellationToken cancellationToken)
    {
        // Binding a socket does not block, so the work is synchronous; failures still come back through the task.
        try
        {
            return Task.FromResult(Start(options, registry, cancellationToken));
        }
        catch (OperationCanceledException e)
        {
            return Task.FromCanceled<LoopbackCallbackListener>(e.CancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<LoopbackCallbackListener>(e);
        }
    }

    private static LoopbackCallbackListener Start(
        LoopbackListenerOptions options, PendingFlowRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Port is { } configured)
        {
            return Bind(options, registry, configured);
        }
        if (options.PreviousPort is { } previous)
        {
            try
            {
                return Bind(options, registry, previous);
            }
            catch (CliException)
            {
                var listener = Bind(options, registry, 0);
                listener.PortChanged = true;
                return listener;
            }
        }
        return Bind(options, registry, 0);
    }

    private static LoopbackCallbackListener Bind(LoopbackListenerOptions options, PendingFlowRegistry registry, int port)
    {
        var address = options.Host is "::1" or "[::1]" ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        var listener = new LoopbackCallbackListener(options, registry);
        try
        {
            listener._server = LoopbackHttpServer.Start(address, port, listener.HandleAsync);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            var holder = PortHolder.Describe(port);
            throw new CliException(
                $"Callback port {port} on {address} is already in use{(holder is null ? "" : $" by {holder}")}. " +
                "Stop that process or choose another port with --callback-port.", ExitCodes.Error, e);
        }
        listener.Port = listener._server.Port;
        var host = options.Host is "::1" ? "[::1]" : options.Host;
        listener.RedirectUri = new Uri($"http://{host}:{listener.Port}{options.Path}");
        return listener;
    }

    /// <summary>
    /// Routes one request: the clean <see cref="CallbackPage.DonePath"/>, else only GET on the redirect path, whose
    /// query goes to the registry byte for byte. Paths compare ignoring case, as they did under Kestrel.
    /// </summary>
    private async Task<LoopbackHttpResponse> HandleAsync(LoopbackHttpRequest request, CancellationToken requestAborted)
    {
        if (string.Equals(request.Path, CallbackPage.DonePath, StringComparison.OrdinalIgnoreCase))
        {
            return Page(200, new CallbackOutcome(true, "McpAuth", "You can close this tab and return to the terminal."));
        }
        if (!string.Equals(request.Path, _options.Path, StringComparison.OrdinalIgnoreCase))
        {
            return LoopbackHttpResponse.Empty(404);
        }
        if (request.Method != "GET")
        {
            return LoopbackHttpResponse.Empty(405, AllowGet);
        }
        var delivery = Registry.Deliver(new Uri(RedirectUri, request.Query));
        if (delivery.Finished is not { } finished)
        {
            return Page(400, CallbackPage.Refused(delivery.Status));
        }
        var outcome = await WaitForOutcomeAsync(finished, requestAborted).ConfigureAwait(false);
        return Page(outcome.Succeeded ? 200 : 400, outcome);
    }

    private async Task<CallbackOutcome> WaitForOutcomeAsync(Task<Exception?> finished, CancellationToken requestAborted)
    {
        try
        {
            return CallbackPage.Finished(await finished.WaitAsync(_options.OutcomeWait, requestAborted).ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            return CallbackOutcome.Received();
        }
    }

    /// <summary>The page with headers that keep it out of caches and referrers and let only its own script run.</summary>
    private static LoopbackHttpResponse Page(int status, CallbackOutcome outcome)
    {
        var page = CallbackPage.Render(outcome);
        return new LoopbackHttpResponse(status,
        [
            new("Content-Type", "text/html; charset=utf-8"),
            new("Cache-Control", "no-store"),
            new("Referrer-Policy", "no-referrer"),
            new("X-Content-Type-Options", "nosniff"),
            new("Content-Security-Policy", page.ContentSecurityPolicy),
        ], page.Html);
    }

    /// <summary>Stops the server, resets open connections and releases the port.</summary>
    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
