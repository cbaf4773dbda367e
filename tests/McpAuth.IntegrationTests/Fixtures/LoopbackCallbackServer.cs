using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// A tiny HTTP server on 127.0.0.1, port 0, that plays a native client's redirect URI for browser tests: it answers
/// every GET with a small "signed in" page and records the first request to <see cref="RedirectUri"/>.
/// </summary>
public sealed class LoopbackCallbackServer : IDisposable
{
    private const string Page = "<!doctype html><html><head><title>Signed in</title></head>"
        + "<body><h1>Signed in</h1><p>McpAuth test callback received. You can close this tab.</p></body></html>";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource<Uri> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts listening.</summary>
    public LoopbackCallbackServer()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        RedirectUri = new Uri($"http://127.0.0.1:{port}/callback");
        _ = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>http://127.0.0.1:PORT/callback.</summary>
    public Uri RedirectUri { get; }

    /// <summary>Completes with the full URL of the first request to the redirect URI.</summary>
    public Task<Uri> Callback => _callback.Task;

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = AnswerAsync(client, cancellationToken);
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                await using var stream = client.GetStream();
                var target = await ReadRequestTargetAsync(stream, cancellationToken);
                var url = new Uri(RedirectUri, target);
                var found = url.AbsolutePath == RedirectUri.AbsolutePath;
                if (found)
                {
                    _callback.TrySetResult(url);
                }

                var body = Encoding.UTF8.GetBytes(found ? Page : "not found");
                var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
                await stream.WriteAsync(body, cancellationToken);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or FormatException)
            {
                // A browser may open speculative connections and drop them: nothing to answer.
            }
        }
    }

    private static async Task<string> ReadRequestTargetAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Encoding.ASCII.GetString(buffer, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }
        }

        var requestLine = Encoding.ASCII.GetString(buffer, 0, length).Split("\r\n")[0].Split(' ');
        return requestLine.Length >= 2 ? requestLine[1] : throw new FormatException("Not an HTTP request.");
    }
}
