using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpAuth.Tests.Refresh;

/// <summary>
/// A minimal token endpoint on 127.0.0.1:0 that rotates refresh tokens and, like oidc-provider, treats a replayed
/// refresh token as theft: it answers invalid_grant and revokes the whole family. Counts every refresh request.
/// </summary>
internal sealed class TokenEndpointServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Task _loop;
    private readonly TimeSpan _latency;
    private string? _current;
    private int _generation;
    private int _requests;
    private int _replays;

    public TokenEndpointServer(string initialRefreshToken, TimeSpan latency)
    {
        _current = initialRefreshToken;
        _latency = latency;
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>A test-only grant that starts a new token family, standing in for a new login.</summary>
    public const string LoginGrant = "urn:mcpauth:test:login";

    public Uri TokenEndpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/token");

    public int Requests => Volatile.Read(ref _requests);

    public int Replays => Volatile.Read(ref _replays);

    /// <summary>Every refresh token this server ever issued, in order (index = generation).</summary>
    public List<string> Issued { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var form = await ReadFormAsync(stream);
                Interlocked.Increment(ref _requests);
                await Task.Delay(_latency);
                var (status, body) = Answer(form);
                var bytes = Encoding.UTF8.GetBytes(body);
                var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Bad Request")}\r\nContent-Type: application/json\r\n" +
                    $"Cache-Control: no-store\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(bytes);
            }
            catch (IOException)
            {
                // A client killed mid-request (crash test).
            }
        }
    }

    private (int Status, string Body) Answer(Dictionary<string, string> form)
    {
        lock (_lock)
        {
            if (form.GetValueOrDefault("grant_type") == LoginGrant)
            {
                return Issue(); // stands for a new interactive login: a new token family
            }
            if (form.GetValueOrDefault("grant_type") != "refresh_token" || form.GetValueOrDefault("refresh_token") is not { } presented
                || presented != _current)
            {
                if (form.GetValueOrDefault("refresh_token") is { } replayed && Issued.Contains(replayed))
                {
                    _replays++;
                    _current = null; // replay detected: revoke the family
                }
                return (400, """{"error":"invalid_grant","error_description":"grant request is invalid"}""");
            }
            return Issue();
        }
    }

    private (int Status, string Body) Issue()
    {
        _generation++;
        _current = $"rt-{_generation}";
        Issued.Add(_current);
        return (200, $$"""{"access_token":"at-{{_generation}}","token_type":"Bearer","expires_in":3600,"refresh_token":"{{_current}}"}""");
    }

    private static async Task<Dictionary<string, string>> ReadFormAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                throw new IOException("closed");
            }
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
        var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        while (buffer.Count < headerEnd + 4 + length)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                throw new IOException("closed");
            }
            buffer.AddRange(chunk.AsSpan(0, read));
        }
        var body = Encoding.ASCII.GetString(buffer.GetRange(headerEnd + 4, length).ToArray());
        return body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : ""));
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }
            if (match)
            {
                return i;
            }
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
