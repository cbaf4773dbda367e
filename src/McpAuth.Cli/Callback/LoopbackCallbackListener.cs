using System.Net;
using McpAuth.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The loopback redirect listener (RFC 8252 §7.3): a real HTTP server (Kestrel) bound to a loopback address only.
/// Several flows share it: each response is handed to the engine's <see cref="PendingFlowRegistry"/>, which routes it
/// by <c>state</c> to the flow waiting for it; unknown, expired or replayed states get a 400 page. The page then says
/// how the engine finished the flow. Disposing it stops the server and releases the port.
/// </summary>
public sealed class LoopbackCallbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LoopbackListenerOptions _options;

    private LoopbackCallbackListener(WebApplication app, LoopbackListenerOptions options, PendingFlowRegistry registry)
    {
        _app = app;
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
    public static async Task<LoopbackCallbackListener> StartAsync(
        LoopbackListenerOptions options, PendingFlowRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        if (options.Port is { } configured)
        {
            return await BindAsync(options, registry, configured, cancellationToken).ConfigureAwait(false);
        }
        if (options.PreviousPort is { } previous)
        {
            try
            {
                return await BindAsync(options, registry, previous, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException)
            {
                var listener = await BindAsync(options, registry, 0, cancellationToken).ConfigureAwait(false);
                listener.PortChanged = true;
                return listener;
            }
        }
        return await BindAsync(options, registry, 0, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<LoopbackCallbackListener> BindAsync(
        LoopbackListenerOptions options, PendingFlowRegistry registry, int port, CancellationToken cancellationToken)
    {
        var address = options.Host is "::1" or "[::1]" ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, port);
        });
        var app = builder.Build();
        var listener = new LoopbackCallbackListener(app, options, registry);
        app.Run(listener.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAddressInUse(e))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            var holder = PortHolder.Describe(port);
            throw new CliException(
                $"Callback port {port} on {address} is already in use{(holder is null ? "" : $" by {holder}")}. " +
                "Stop that process or choose another port with --callback-port.", ExitCodes.Error, e);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        listener.Port = BoundPort(app, port);
        var host = options.Host is "::1" ? "[::1]" : options.Host;
        listener.RedirectUri = new Uri($"http://{host}:{listener.Port}{options.Path}");
        return listener;
    }

    private static bool IsAddressInUse(Exception e) =>
        e is AddressInUseException || e.InnerException is AddressInUseException;

    private static int BoundPort(WebApplication app, int requested)
    {
        if (requested != 0)
        {
            return requested;
        }
        var bound = app.Urls.Select(u => new Uri(u).Port).FirstOrDefault();
        return bound != 0 ? bound : throw new InvalidOperationException("Kestrel did not report the bound port.");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path == CallbackPage.DonePath)
        {
            await WritePageAsync(context, StatusCodes.Status200OK,
                new CallbackOutcome(true, "McpAuth", "You can close this tab and return to the terminal.")).ConfigureAwait(false);
            return;
        }
        if (request.Path != _options.Path)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!HttpMethods.IsGet(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        var delivery = Registry.Deliver(new Uri(RedirectUri, request.QueryString.Value));
        if (delivery.Finished is not { } finished)
        {
            await WritePageAsync(context, StatusCodes.Status400BadRequest, CallbackPage.Refused(delivery.Status)).ConfigureAwait(false);
            return;
        }
        var outcome = await WaitForOutcomeAsync(finished, context.RequestAborted).ConfigureAwait(false);
        await WritePageAsync(context, outcome.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, outcome)
            .ConfigureAwait(false);
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

    private static Task WritePageAsync(HttpContext context, int status, CallbackOutcome outcome)
    {
        var page = CallbackPage.Render(outcome);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.ContentSecurityPolicy = page.ContentSecurityPolicy;
        return response.WriteAsync(page.Html, context.RequestAborted);
    }

    /// <summary>Stops the server and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _app.StopAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are aborted by DisposeAsync.
            }
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
