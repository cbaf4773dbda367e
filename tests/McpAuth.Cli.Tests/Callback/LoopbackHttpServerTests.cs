using System.Net;
using System.Net.Sockets;
using System.Text;
using McpAuth.Cli.Callback;
using McpAuth.Engine;

namespace McpAuth.Cli.Tests.Callback;

/// <summary>
/// The listener's HTTP server under what a browser or a hostile local process really sends, over raw sockets: idle
/// speculative connections, oversized and malformed heads, other methods, bodies, IPv6 loopback, disposal with
/// connections open.
/// </summary>
public sealed class LoopbackHttpServerTests : ListenerTest
{

    [Fact]
    public async Task An_idle_connection_opened_first_does_not_block_the_callback()
    {
        using var idle = await ConnectAsync(Listener.Port);
        using var half = await ConnectAsync(Listener.Port);
        await half.Client.SendAsync("GET /callback?code=c"u8.ToArray());
        using var flow = TestFlow.Start(Listener.Registry, "behind-idle");

        var answer = Http.GetAsync(Listener.RedirectUri + "?code=c&state=behind-idle");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(5)); // well inside the 10 s the idle ones may hold a connection
        flow.Succeed();
        using var response = await answer.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_head_is_refused_and_theListener_keeps_working()
    {
        var head = "GET /callback?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + new string('a', 40 * 1024) + "\r\n\r\n";

        var answer = await ExchangeAsync(head);

        Assert.StartsWith("HTTP/1.1 431 ", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(Listener.RedirectUri, "/done"))).StatusCode);
    }

    [Fact]
    public async Task A_head_with_a_large_cookie_under_the_limit_is_served()
    {
        var head = "GET /done HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + new string('a', 24 * 1024) + "\r\n\r\n";

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await ExchangeAsync(head), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET http://127.0.0.1/callback?code=c&state=s HTTP/1.1\r\n\r\n")]
    [InlineData("GET * HTTP/1.1\r\n\r\n")]
    [InlineData("GET /callback?code=c&state=s HTTP/2.0\r\n\r\n")]
    [InlineData("GET /call back HTTP/1.1\r\n\r\n")]
    [InlineData("GET  /callback HTTP/1.1\r\n\r\n")]
    [InlineData("G(T /callback HTTP/1.1\r\n\r\n")]
    [InlineData("GET /callback\r\n\r\n")]
    public async Task A_malformed_request_line_gets_400(string head)
    {
        using var flow = TestFlow.Start(Listener.Registry, "s");

        var answer = await ExchangeAsync(head);

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.False(flow.Received.IsCompleted);
    }

    [Theory]
    [InlineData("POST /callback?code=c&state=s HTTP/1.1\r\nContent-Length: 11\r\n\r\ncode=c&a=b\n")]
    [InlineData("HEAD /callback?code=c&state=s HTTP/1.1\r\n\r\n")]
    [InlineData("DELETE /callback?code=c&state=s HTTP/1.0\r\n\r\n")]
    [InlineData("get /callback?code=c&state=s HTTP/1.1\r\n\r\n")]
    public async Task A_method_other_than_get_gets_405_and_delivers_nothing(string head)
    {
        using var flow = TestFlow.Start(Listener.Registry, "s");

        var answer = await ExchangeAsync(head);

        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("Allow: GET\r\n", answer, StringComparison.Ordinal);
        Assert.False(flow.Received.IsCompleted);
    }

    [Fact]
    public async Task The_query_reaches_the_registry_as_sent()
    {
        // No escaped unreserved character (%7E): System.Uri, the registry's type, turns that into "~" (RFC 3986 §6.2.2.2).
        const string query = "?code=a%2Fb%3D%3D+c%25d%26e%2B&state=s%20t&extra=%E2%9C%93~%3F/?";
        using var flow = TestFlow.Start(Listener.Registry, "s t");

        var answer = ExchangeAsync($"GET /callback{query}#fragment HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        var received = await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));
        flow.Succeed();

        Assert.Equal(query, received.Query);
        Assert.Equal("a/b== c%d&e+", (await flow.ReceivedCallbackAsync()).Code);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_carries_exact_length_and_no_server_header()
    {
        var answer = await ExchangeAsync("GET /done HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = answer[..split];
        var body = answer[(split + 4)..];

        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", head + "\r\n", StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/html; charset=utf-8", head, StringComparison.Ordinal);
        Assert.Contains("Referrer-Policy: no-referrer", head, StringComparison.Ordinal);
        Assert.Contains("X-Content-Type-Options: nosniff", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Server:", head, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("</html>", body.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_with_idle_connections_open_frees_the_port_at_once()
    {
        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions(), new PendingFlowRegistry(TimeProvider.System), default);
        var port = listener.Port;
        using var idle = await ConnectAsync(port);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(listener.RedirectUri, "/done"))).StatusCode);

        await listener.DisposeAsync();

        using var rebind = new TcpListener(IPAddress.Loopback, port);
        rebind.Start();
        Assert.Equal(0, await ReadOrResetAsync(idle)); // closed by the listener, not left hanging
    }

    [Fact]
    public async Task Disposing_lets_a_login_that_finishes_meanwhile_show_its_page_and_frees_the_port_at_once()
    {
        var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions(), new PendingFlowRegistry(TimeProvider.System), default);
        var port = listener.Port;
        using var flow = TestFlow.Start(listener.Registry, "ending");
        var answer = Http.GetAsync(listener.RedirectUri + "?code=c&state=ending");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));

        // As mcpauth login does: the engine finishes the flow, and the listener is disposed right as the page is due.
        var disposing = listener.DisposeAsync().AsTask();
        using (var rebind = new TcpListener(IPAddress.Loopback, port))
        {
            rebind.Start(); // the port is free while the page is still being answered
        }
        await Task.Delay(300);
        flow.Succeed();
        using var response = await answer;
        await disposing;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Logged in", await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Listens_on_the_ipv6_loopback_when_the_host_is_ipv6()
    {
        Skip.IfNot(Ipv6LoopbackWorks(), "This machine has no IPv6 loopback (::1).");
        await using var listener = await LoopbackCallbackListener.StartAsync(
            new LoopbackListenerOptions { Host = "::1" }, new PendingFlowRegistry(TimeProvider.System), default);
        using var flow = TestFlow.Start(listener.Registry, "six");

        var answer = Http.GetAsync(listener.RedirectUri + "?code=c&state=six");
        await flow.Received.WaitAsync(TimeSpan.FromSeconds(10));
        flow.Succeed();

        Assert.Equal($"http://[::1]:{listener.Port}/callback", listener.RedirectUri.AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, (await answer).StatusCode);
        using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => v4.ConnectAsync(IPAddress.Loopback, listener.Port));
    }

    private static bool Ipv6LoopbackWorks()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Bytes read, 0 at end of stream or on a reset.</summary>
    private static async Task<int> ReadOrResetAsync(TcpClient client)
    {
        try
        {
            return await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return client;
    }

    /// <summary>Sends raw bytes and reads the answer until the server closes the connection.</summary>
    private async Task<string> ExchangeAsync(string request)
    {
        using var client = await ConnectAsync(Listener.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(15));
        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
