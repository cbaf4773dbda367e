using System.Text;
using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Tests.Callback;

/// <summary>The pure request-line reader of the loopback listener (RFC 9112 §3), without a socket.</summary>
public sealed class LoopbackHttpRequestTests
{
    [Theory]
    [InlineData("GET /callback?code=a%2Fb&state=s HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/callback", "?code=a%2Fb&state=s")]
    [InlineData("GET /callback HTTP/1.0\r\n\r\n", "GET", "/callback", "")]
    [InlineData("\r\nGET /done#top HTTP/1.1\r\n\r\n", "GET", "/done", "")]
    [InlineData("GET /callback?x=1#f?g HTTP/1.1\n\n", "GET", "/callback", "?x=1")]
    [InlineData("PATCH /a%20b?? HTTP/1.1\r\n\r\n", "PATCH", "/a%20b", "??")]
    public void Reads_method_path_and_the_query_as_sent(string head, string method, string path, string query)
    {
        var request = LoopbackHttpRequest.Parse(Encoding.Latin1.GetBytes(head));

        Assert.Equal(new LoopbackHttpRequest(method, path, query), request);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET\r\n\r\n")]
    [InlineData("GET /callback\r\n\r\n")]
    [InlineData(" GET /callback HTTP/1.1\r\n\r\n")]
    [InlineData("GET callback HTTP/1.1\r\n\r\n")]
    [InlineData("GET //127.0.0.1/x HTTP/1.1 extra\r\n\r\n")]
    [InlineData("GET http://evil/callback HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT 127.0.0.1:80 HTTP/1.1\r\n\r\n")]
    [InlineData("GET /callback HTTP/1.2\r\n\r\n")]
    [InlineData("GET /callback http/1.1\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a\tb HTTP/1.1\r\n\r\n")]
    [InlineData("G:T /callback HTTP/1.1\r\n\r\n")]
    public void Refuses_what_is_not_an_origin_form_http1_request_line(string head)
    {
        Assert.Null(LoopbackHttpRequest.Parse(Encoding.Latin1.GetBytes(head)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nA: b\r\n\r\nbody", 24)]
    [InlineData("GET / HTTP/1.1\nA: b\n\nbody", 21)]
    [InlineData("GET / HTTP/1.1\r\nA: b\r\n", -1)]
    [InlineData("GET / HTTP/1.1\r\nA: b\r\n\r", -1)]
    public void Finds_the_end_of_the_head(string received, int end)
    {
        Assert.Equal(end, LoopbackHttpRequest.FindHeadEnd(Encoding.ASCII.GetBytes(received), 0));
    }

    [Fact]
    public void Finds_the_end_of_a_head_that_arrives_one_byte_at_a_time()
    {
        var bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nA: b\r\n\r\n");
        var found = -1;
        for (var length = 1; length <= bytes.Length && found < 0; length++)
        {
            found = LoopbackHttpRequest.FindHeadEnd(bytes.AsSpan(0, length), length - 1);
        }

        Assert.Equal(bytes.Length, found);
    }
}
