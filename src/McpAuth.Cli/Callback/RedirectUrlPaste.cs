using McpAuth.Engine;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The remote-machine path: the user pastes the whole redirect URL (from the browser's address bar on another
/// machine) at the prompt. Each line is handed to the engine's registry like the listener's requests, so the same
/// parser and state rules apply (repeated parameters, unknown, expired or replayed states are refused).
/// </summary>
public static class RedirectUrlPaste
{
    private const string NotARedirect = "That is not a redirect URL: it needs state= and code= (or error=). Paste the whole address.";

    /// <summary>
    /// Reads lines until one is delivered to a pending flow, the input ends, or cancellation. Complaints about bad
    /// lines go to <paramref name="prose"/>. Returns true when a line was delivered.
    /// </summary>
    public static async Task<bool> ReadAsync(
        TextReader input, PendingFlowRegistry registry, TextWriter prose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(prose);
        while (true)
        {
            // Console.In reads synchronously even through ReadLineAsync: read on the thread pool so the caller (and the
            // loopback redirect it waits for) is never blocked by a terminal nobody types into.
            var line = await Task.Run(() => input.ReadLineAsync(cancellationToken).AsTask(), CancellationToken.None)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return false;
            }
            if (Deliver(line.Trim(), registry) is { } complaint)
            {
                await prose.WriteLineAsync(complaint).ConfigureAwait(false);
                continue;
            }
            return true;
        }
    }

    /// <summary>Routes one pasted line; returns null when delivered, else the complaint to show.</summary>
    public static string? Deliver(string line, PendingFlowRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (line.Length == 0)
        {
            return "Paste the whole address from the browser after it was redirected (it contains state= and code=).";
        }
        if (!Uri.TryCreate(line, UriKind.Absolute, out var uri))
        {
            return NotARedirect;
        }
        return registry.Deliver(uri).Status switch
        {
            CallbackDeliveryStatus.Delivered => null,
            CallbackDeliveryStatus.NotAnAuthorizationResponse => NotARedirect,
            CallbackDeliveryStatus.Replayed => "That redirect URL was already used.",
            CallbackDeliveryStatus.Expired => "That login expired; run mcpauth login again.",
            _ => "That redirect URL belongs to another login (its state does not match).",
        };
    }
}
