using System.Net;
using System.Net.Sockets;

namespace McpAuth.Cli.Callback;

/// <summary>
/// A small HTTP/1.x responder on a loopback socket, just enough for the redirect listener (RFC 8252 §7.3): one request
/// per connection, GET heads only (a body is never read), every response closes its connection. It replaces Kestrel,
/// which cost the NativeAOT executable about 4 MB that every proxy start paid for.
/// <para>
/// The port is reachable by every local process and, through the browser, by every web page, so each connection is
/// distrusted: its head must arrive whole within <see cref="HeadTimeout"/> and fit in <see cref="MaxHeadBytes"/>,
/// connections are served side by side (a browser's idle speculative connection never holds up the real redirect),
/// and at most <see cref="MaxConnections"/> are open at once. Nothing here logs or echoes a request: its query holds
/// the authorization code.
/// </para>
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    /// <summary>
    /// The largest request head read (request line and header fields). As large as Kestrel's default (32 KB of fields):
    /// browsers send every cookie of the loopback host, which other local development servers may have set.
    /// </summary>
    public const int MaxHeadBytes = 32 * 1024;

    /// <summary>Connections served at once; more are closed on accept (a local flood cannot exhaust descriptors).</summary>
    public const int MaxConnections = 64;

    /// <summary>How long a connection may take to send its whole head: an idle or slow client is dropped after it.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection stays open after its response, to read what the client still sends (see <see cref="FinishAsync"/>).</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<Socket, Task> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private int _disposed;

    private LoopbackHttpServer(Socket socket, Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> handler)
    {
        _socket = socket;
        _handler = handler;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The port bound (the ephemeral one when 0 was asked for).</summary>
    public int Port { get; }

    /// <summary>
    /// Binds <paramref name="address"/> (a loopback address) and starts accepting. The handler gets each well-formed
    /// request and a token cancelled when its client disconnects or the server stops.
    /// </summary>
    /// <exception cref="SocketException">The port cannot be bound (<see cref="SocketError.AddressAlreadyInUse"/> when taken).</exception>
    public static LoopbackHttpServer Start(
        IPAddress address, int port, Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> handler)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(MaxConnections);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var server = new LoopbackHttpServer(socket, handler);
        server._accepting = server.AcceptAllAsync();
        return server;
    }

    private async Task AcceptAllAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A client that gave up before its accept, or no descriptor left: pause rather than spin.
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            Serve(connection);
        }
    }

    private void Serve(Socket connection)
    {
        lock (_gate)
        {
            if (_connections.Count >= MaxConnections)
            {
                Abort(connection);
                return;
            }
            _connections[connection] = Task.CompletedTask;
        }
        var serving = ServeAsync(connection);
        lock (_gate)
        {
            if (_connections.ContainsKey(connection))
            {
                _connections[connection] = serving;
            }
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            var (request, refusal) = await ReadRequestAsync(connection).ConfigureAwait(false);
            if (request is null && refusal is null)
            {
                return; // closed, idle or too slow: nothing to answer
            }
            var watching = WatchAsync(connection, aborted);
            var response = refusal ?? await HandleAsync(request!, aborted.Token).ConfigureAwait(false);
            await connection.SendAsync(response.Serialize(), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            await FinishAsync(connection, watching).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client left or the server stopped: the connection just closes.
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(connection);
            }
            connection.Dispose();
        }
    }

    /// <summary>
    /// Reads until the head is complete: the request, or the refusal to send (400 malformed, 431 too large), or neither
    /// when the client closed or timed out.
    /// </summary>
    private async Task<(LoopbackHttpRequest? Request, LoopbackHttpResponse? Refusal)> ReadRequestAsync(Socket connection)
    {
        var buffer = new byte[MaxHeadBytes];
        var received = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            int read;
            try
            {
                read = await connection.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token).ConfigureAwait(false);
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
    private async Task WatchAsync(Socket connection, CancellationTokenSource aborted)
    {
        var sink = new byte[1024];
        try
        {
            while (await connection.ReceiveAsync(sink, SocketFlags.None, _stop.Token).ConfigureAwait(false) > 0)
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
    private async Task FinishAsync(Socket connection, Task watching)
    {
        connection.Shutdown(SocketShutdown.Send);
        try
        {
            await watching.WaitAsync(Linger, _stop.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that keeps its side open: closed anyway.
        }
    }

    /// <summary>Closes with a reset: no TIME_WAIT is left on the port, and a peer blocked on it fails at once.</summary>
    private static void Abort(Socket connection)
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

    /// <summary>Stops accepting, resets every open connection (a waiting handler is cancelled) and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        KeyValuePair<Socket, Task>[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }
        foreach (var (connection, _) in open)
        {
            Abort(connection);
        }
        try
        {
            await Task.WhenAll(open.Select(c => c.Value)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Their sockets are closed; the tasks end on their own.
        }
        _stop.Dispose();
    }
}
