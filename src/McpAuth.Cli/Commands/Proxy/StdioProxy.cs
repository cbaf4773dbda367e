namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// The stdio side of <c>mcpauth proxy</c>: one JSON-RPC message per line on stdin is forwarded; every message from the
/// server (responses and server-initiated requests and notifications) is written as one line on stdout. Only protocol
/// messages go to stdout; logs go to stderr.
/// </summary>
public sealed class StdioProxy(TextReader input, TextWriter output, TextWriter log)
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>Writes one message line to stdout (serialized: messages never interleave).</summary>
    public async Task WriteAsync(string message)
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await output.WriteLineAsync(message).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs until stdin ends or cancellation, then closes the session.</summary>
    public async Task RunAsync(StreamableHttpForwarder forwarder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forwarder);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new List<Task>();
        Task? listening = null;
        var first = true;
        while (await input.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            inFlight.RemoveAll(t => t.IsCompleted);
            var sending = forwarder.SendAsync(line, stop.Token);
            inFlight.Add(sending);
            if (first)
            {
                // The first exchange (initialize) sets the session; wait for it before opening the listen stream.
                first = false;
                await sending.ConfigureAwait(false);
            }
            if (listening is null && forwarder.SessionId is not null)
            {
                listening = ListenAsync(forwarder, stop.Token);
            }
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        if (listening is not null)
        {
            await listening.ConfigureAwait(false);
        }
        await forwarder.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ListenAsync(StreamableHttpForwarder forwarder, CancellationToken cancellationToken)
    {
        try
        {
            if (!await forwarder.ListenAsync(cancellationToken).ConfigureAwait(false))
            {
                await log.WriteLineAsync("mcpauth proxy: the server offers no stream for server-initiated messages.").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (HttpRequestException e)
        {
            await log.WriteLineAsync($"mcpauth proxy: the server-initiated message stream ended ({e.HttpRequestError}).").ConfigureAwait(false);
        }
    }
}
