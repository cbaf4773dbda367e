using System.Net;
using McpAuth.Http;
using McpAuth.Tests.Orchestration;

namespace McpAuth.Tests.Http;

public class OAuthHttpClientTests
{
    private static readonly byte[] Body = [.. Enumerable.Range(0, 40_000).Select(i => (byte)(i % 251))];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_reads_whole_with_or_without_a_declared_length(bool declared)
    {
        var http = new FakeHttp().On("GET", "https://as.example.com/x", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = declared ? new ByteArrayContent(Body) : new StreamContent(new UnseekableStream(Body)),
        });
        var client = new OAuthHttpClient(new HttpClient(http));

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://as.example.com/x"), default);

        Assert.Equal(Body, response.Body.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_cap_is_ResponseTooLarge_with_or_without_a_declared_length(bool declared)
    {
        var http = new FakeHttp().On("GET", "https://as.example.com/x", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = declared ? new ByteArrayContent(Body) : new StreamContent(new UnseekableStream(Body)),
        });
        var client = new OAuthHttpClient(new HttpClient(http), new OAuthHttpOptions { MaxResponseBytes = Body.Length - 1 });

        var e = await Assert.ThrowsAsync<McpAuthException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://as.example.com/x"), default));

        Assert.Equal(McpAuthErrorCode.ResponseTooLarge, e.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_that_breaks_off_is_TransportFailure_naming_the_endpoint_with_or_without_a_declared_length(bool declared)
    {
        var http = new FakeHttp().On("POST", "https://as.example.com/token", _ =>
        {
            var content = new StreamContent(new BreakingStream(Body[..100]));
            if (declared)
            {
                content.Headers.ContentLength = Body.Length;
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        var client = new OAuthHttpClient(new HttpClient(http));

        var e = await Assert.ThrowsAsync<McpAuthException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://as.example.com/token?code=c0de"), default));

        Assert.Equal(McpAuthErrorCode.TransportFailure, e.Code);
        Assert.Equal("https://as.example.com/token", e.Endpoint?.ToString()); // the query (a code, here) left out
        Assert.IsType<HttpIOException>(e.InnerException);
    }

    /// <summary>A stream whose length is unknown, as a chunked response body's is.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    /// <summary>Gives its bytes, then fails as a connection closed mid-body does.</summary>
    private sealed class BreakingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        }
    }
}
