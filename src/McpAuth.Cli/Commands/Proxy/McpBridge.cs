using System.Threading.Channels;
using McpAuth.Cli.Engine;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Passes JSON-RPC messages between two MCP SDK transports, unchanged in both directions: the client's (stdio) and the
/// remote server's (HTTP). Nothing is translated: the client and the server negotiate the protocol version between
/// them, and a server's JSON-RPC error reaches the client as the server sent it. When a message cannot be delivered
/// (no connection, an HTTP error without a JSON-RPC body, a failed login), a request gets a JSON-RPC error from the
/// proxy, with a message that never carries a response body or a token.
/// </summary>
/// <remarks>
/// The client closing its side (stdin at end) means nobody reads any more answers: everything in flight is cancelled at
/// once, a pending login included, and <see cref="RunAsync"/> returns.
/// </remarks>
internal sealed class McpBridge(ITransport client, Func<CancellationToken, Task<ITransport>> connect, TextWriter log)
{
    /// <summary>The JSON-RPC error code of the proxy's own errors (the implementation-defined server error range).</summary>
    public const int ProxyErrorCode = -32000;

    /// <summary>Runs until the client or the server closes, or cancellation. Returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reading = ReadClientAsync(queue.Writer, stop);
        var server = new ServerSide();
        try
        {
            await ForwardAsync(queue.Reader, server, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client or the server closed, or Ctrl-C.
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await reading.ConfigureAwait(false);
        await server.CloseAsync(log).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return server.ClosedByServer ? ExitCodes.Error : ExitCodes.Ok;
    }

    /// <summary>Moves the client's messages to <paramref name="queue"/>; the client's end stops the bridge.</summary>
    private async Task ReadClientAsync(ChannelWriter<JsonRpcMessage> queue, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var message in client.MessageReader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                queue.TryWrite(message);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            queue.TryComplete();
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends each message on. The first request (initialize, or server/discover) is answered before anything else goes,
    /// since it settles the transport and the session; later requests go concurrently (a long tool call does not hold
    /// up the others); notifications and responses keep their order.
    /// </summary>
    private async Task ForwardAsync(ChannelReader<JsonRpcMessage> queue, ServerSide server, CancellationTokenSource stop)
    {
        var inFlight = new List<Task>();
        var settled = false;
        await foreach (var message in queue.ReadAllAsync(stop.Token).ConfigureAwait(false))
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (server.Transport is null && !await TryConnectAsync(server, message, stop).ConfigureAwait(false))
            {
                continue;
            }
            var sending = SendAsync(server.Transport!, message, stop.Token);
            if (settled && message is JsonRpcRequest)
            {
                inFlight.Add(sending);
                continue;
            }
            await sending.ConfigureAwait(false);
            settled |= message is JsonRpcRequest;
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task<bool> TryConnectAsync(ServerSide server, JsonRpcMessage first, CancellationTokenSource stop)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                server.Transport = await connect(stop.Token).ConfigureAwait(false);
                server.Relaying = RelayServerAsync(server, stop);
                return true;
            }
            catch (Exception e) when (attempt == 0 && Find<LoginJoinedException>(e) is not null)
            {
                // Another process logged in meanwhile: connect again with its credential.
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                await FailAsync(first, null, e, stop.Token).ConfigureAwait(false);
                return false;
            }
        }
    }

    /// <summary>Hands the server's messages to the client until the server's side ends, which stops the bridge.</summary>
    private async Task RelayServerAsync(ServerSide server, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var message in server.Transport!.MessageReader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await client.SendMessageAsync(message, stop.Token).ConfigureAwait(false);
            }
            server.ClosedByServer = true;
            await log.WriteLineAsync("mcpauth proxy: the MCP server closed the session.").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            server.ClosedByServer = true;
            await log.WriteLineAsync($"mcpauth proxy: the connection to the MCP server ended ({Describe(e)})").ConfigureAwait(false);
        }
        await stop.CancelAsync().ConfigureAwait(false);
    }

    private async Task SendAsync(ITransport server, JsonRpcMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var capture = JsonRpcErrorCapture.Watch();
            try
            {
                await server.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt == 0 && Find<LoginJoinedException>(e) is not null)
            {
                // Another process logged in meanwhile: send again, with its credential.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                await FailAsync(message, capture.Error, e, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Says on stderr why <paramref name="message"/> was not delivered; a request gets a JSON-RPC error.</summary>
    private async Task FailAsync(JsonRpcMessage message, JsonRpcError? serverError, Exception e, CancellationToken cancellationToken)
    {
        var method = message switch { JsonRpcRequest r => r.Method, JsonRpcNotification n => n.Method, _ => "a response" };
        var description = serverError is null ? Describe(e) : $"the server answered with JSON-RPC error {serverError.Error.Code}";
        await log.WriteLineAsync($"mcpauth proxy: {method}: {description}").ConfigureAwait(false);
        if (message is not JsonRpcRequest request)
        {
            return;
        }
        var error = serverError is null
            ? new JsonRpcError { Id = request.Id, Error = new JsonRpcErrorDetail { Code = ProxyErrorCode, Message = description } }
            : new JsonRpcError { Id = request.Id, Error = serverError.Error };
        try
        {
            await client.SendMessageAsync(error, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A failure in words safe to show: never a response body, a token or a secret.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Find<McpAuthException>(e) is { } auth)
        {
            return auth.Code == McpAuthErrorCode.TlsFailure ? $"{auth.Message} {CliHttp.TlsHint}" : auth.Message;
        }
        if (Find<CliException>(e) is { } cli)
        {
            return cli.Message;
        }
        if (Find<HttpRequestException>(e) is { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            return $"{McpAuthException.Describe(McpAuthErrorCode.TlsFailure)} ({McpAuthErrorCode.TlsFailure}) {CliHttp.TlsHint}";
        }
        if (Find<HttpRequestException>(e) is { } http)
        {
            return http.StatusCode is { } status
                ? $"The MCP server answered HTTP {(int)status}."
                : $"The MCP server could not be reached ({http.HttpRequestError}).";
        }
        if (Find<McpProtocolException>(e) is { } protocol)
        {
            return $"The MCP server answered with JSON-RPC error {(int)protocol.ErrorCode}.";
        }
        return e is TimeoutException or OperationCanceledException
            ? "The MCP server did not answer in time."
            : $"The message could not be delivered ({e.GetType().Name}).";
    }

    /// <summary>The first exception of type <typeparamref name="T"/> in <paramref name="e"/> and its inner exceptions.</summary>
    public static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(f => f is not null) is { } inner)
            {
                return inner;
            }
        }
        return null;
    }

    /// <summary>The server's transport once connected, and how it ended.</summary>
    private sealed class ServerSide
    {
        public ITransport? Transport { get; set; }
        public Task? Relaying { get; set; }
        public bool ClosedByServer { get; set; }

        /// <summary>Ends the session at the server (best effort, bounded: the client is gone and waits for nobody).</summary>
        public async Task CloseAsync(TextWriter log)
        {
            if (Transport is null)
            {
                return;
            }
            try
            {
                await Transport.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                if (Relaying is not null)
                {
                    await Relaying.WaitAsync(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is TimeoutException or HttpRequestException or McpAuthException or OperationCanceledException)
            {
                await log.WriteLineAsync("mcpauth proxy: the session was not closed at the server in time; it will expire there.").ConfigureAwait(false);
            }
        }
    }
}
