using System.Net;
using System.Net.Sockets;

namespace McpAuth.Cli.Callback;

/// <summary>
/// A small HTTP/1.x responder on a loopback socket, just enough for the redirect listener (RFC 8252 §7.3): one request
/// per connection, GET heads only (a body is never read), every response closes its connection. It replaces Kestrel,
/// which cost the NativeAOT executable about 4 MB that every proxy start paid for.
/// <para>
/// The port is reachable by every local process and, through the browser, by every web page, so each connection is
/// distrusted: its head must arrive whole within <see cref="LoopbackHttpConnection.HeadTimeout"/> and fit in
/// <see cref="LoopbackHttpConnection.MaxHeadBytes"/>, connections are served side by side (a browser's idle
/// speculative connection never holds up the real redirect), and at most <see cref="MaxConnections"/> are open at once.
/// Nothing here logs or echoes a request: its query holds the authorization code.
/// </para>
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    /// <summary>Connections served at once; more are closed on accept (a local flood cannot exhaust descriptors).</summary>
    public const int MaxConnections = 64;

    /// <summary>How long disposal lets a request being answered finish (Kestrel's StopAsync grace, as used here before).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly Func<LoopbackHttpRequest, CancellationToken, Task<LoopbackHttpResponse>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
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
    /// request and a token cancelled when its client disconnects or disposal stops waiting for it.
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
                LoopbackHttpConnection.Abort(connection);
                return;
            }
            _connections[connection] = Task.CompletedTask;
        }
        var serving = ServeAndForgetAsync(connection);
        lock (_gate)
        {
            if (_connections.ContainsKey(connection))
            {
                _connections[connection] = serving;
            }
        }
    }

    private async Task ServeAndForgetAsync(Socket socket)
    {
        try
        {
            await new LoopbackHttpConnection(socket, _handler, _stop.Token, _abort.Token).ServeAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(socket);
            }
        }
    }

    /// <summary>
    /// Stops accepting and releases the port at once, drops connections still sending their head, lets a request being
    /// answered finish for up to <see cref="Grace"/> (a login that just ended must still show its page), then resets
    /// the rest: a handler still waiting is cancelled.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // Synchronously, before any await: the port is free once DisposeAsync returns to its caller's first await.
        _stop.Cancel();
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        if (!await AllClosedAsync(Grace).ConfigureAwait(false))
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var connection in _connections.Keys)
                {
                    LoopbackHttpConnection.Abort(connection);
                }
            }
            await AllClosedAsync(Grace).ConfigureAwait(false);
        }
        _stop.Dispose();
        _abort.Dispose();
    }

    private async Task<bool> AllClosedAsync(TimeSpan wait)
    {
        Task[] open;
        lock (_gate)
        {
            open = [.. _connections.Values];
        }
        try
        {
            await Task.WhenAll(open).WaitAsync(wait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
