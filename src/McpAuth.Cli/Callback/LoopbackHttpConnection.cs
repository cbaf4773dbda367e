using System.Net.Sockets;

namespace McpAuth.Cli.Callback;

/// <summary>
/// One connection to the <see cref="LoopbackHttpServer"/>: reads one request head (bounded in size and time), hands a
/// well-formed request to the handler, writes its response and closes. Nothing here logs or echoes the request.
/// </summary>
internal sealed class LoopbackHttpConnection
{
    /// <summary>
    /// The largest request head read (request line and header fields). As large as Kestrel's default (32 KB of fields):
    /// browsers send every cookie of the loopback host, which other local development servers may have set.
    /// </summary>
    public const int MaxHeadBytes = 32 * 1024;

    /// <summary>How long a connection may take to send its whole head: an idle or slow client is dropped after it.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection stays open after its response, to read what the client still sends (see <see cref="FinishAsync"/>).</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> _handler;
    private readonly CancellationToken _stop;
    private readonly CancellationToken _abort;

    /// <param name="socket">The accepted connection, owned (closed) by this object.</param>
    /// <param name="handler">Answers a well-formed request.</param>
    /// <param name="stop">The server stops accepting: a head still arriving is dropped.</param>
    /// <param name="abort">The server gave up waiting: a request being answered is dropped too.</param>
    public LoopbackHttpConnection(Socket socket, Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> handler,
        CancellationToken stop, CancellationToken abort)
    {
        _socket = socket;
        _handler = handler;
        _stop = stop;
        _abort = abort;
    }

    /// <summary>Serves the one request of this connection, then closes it: gracefully once answered, else with a reset.</summary>
    public async Task ServeAsync()
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(_abort);
        var responded = false;
        try
        {
            var (request, refusal) = await ReadRequestAsync().ConfigureAwait(false);
            if (request is null && refusal is null)
            {
                return; // closed, idle or too slow: nothing to answer
            }
            var watching = WatchAsync(aborted);
            var response = refusal ?? await HandleAsync(request!, aborted.Token).ConfigureAwait(false);
            await _socket.SendAsync(response.Serialize(), SocketFlags.None, _abort).ConfigureAwait(false);
            responded = true;
            await FinishAsync(watching).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client left or the server stopped: the connection just closes.
        }
        finally
        {
            if (responded)
            {
                _socket.Dispose();
            }
            else
            {
                Abort(_socket);
            }
        }
    }

    /// <summary>
    /// Reads until the head is complete: the request, or the refusal to send (400 malformed, 431 too large), or neither
    /// when the client closed or timed out.
    /// </summary>
    private async Task<(LoopbackHttpRequest? Request, LoopbackHttpResponse? Refusal)> ReadRequestAsync()
    {
        var buffer = new byte[MaxHeadBytes];
        var received = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                return (null, null);
            }
            if (read == 0)
            {
                return (null, null);
            }
            var end = LoopbackHttpRequest.FindHeadEnd(buffer.AsSpan(0, received + read), received);
            received += read;
            if (end >= 0)
            {
                var request = LoopbackHttpRequest.Parse(buffer.AsSpan(0, end));
                return request is null ? (null, LoopbackHttpResponse.Empty(400)) : (request, null);
            }
            if (received == buffer.Length)
            {
                return (null, LoopbackHttpResponse.Empty(431));
            }
        }
    }

    /// <summary>The handler's response; a 500 when it failed, unless because the client left or the server stopped.</summary>
    private async Task<LoopbackHttpResponse> HandleAsync(LoopbackHttpRequest request, CancellationToken aborted)
    {
        try
        {
            return await _handler(request, aborted).ConfigureAwait(false);
        }
        catch (Exception) when (!aborted.IsCancellationRequested)
        {
            return LoopbackHttpResponse.Empty(500);
        }
    }

    /// <summary>
    /// Reads and drops whatever the client sends after its head until it closes, then cancels <paramref name="aborted"/>:
    /// that is how a handler waiting on the login learns its browser tab went away.
    /// </summary>
    private async Task WatchAsync(CancellationTokenSource aborted)
    {
        var sink = new byte[1024];
        try
        {
            while (await _socket.ReceiveAsync(sink, SocketFlags.None, _abort).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Reset, closed by us, or the server stopped: the client is gone either way.
        }
        try
        {
            await aborted.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The connection was already done.
        }
    }

    /// <summary>
    /// Ends the response with a FIN and waits (at most <see cref="Linger"/>) for the client to close: closing with unread
    /// bytes (an oversized head, a body) would send a reset that can destroy the response before the client reads it.
    /// </summary>
    private async Task FinishAsync(Task watching)
    {
        _socket.Shutdown(SocketShutdown.Send);
        try
        {
            await watching.WaitAsync(Linger, _abort).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that keeps its side open: closed anyway.
        }
    }

    /// <summary>Closes with a reset: no TIME_WAIT is left on the port, and a peer blocked on it fails at once.</summary>
    public static void Abort(Socket connection)
    {
        try
        {
            connection.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        connection.Dispose();
    }
}
