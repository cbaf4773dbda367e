using System.Globalization;
using System.Text;

namespace McpAuth.Cli.Callback;

/// <summary>
/// A response of the loopback listener: a status, the header fields the caller chose and a UTF-8 body. Every response
/// ends its connection (<c>Connection: close</c>), so a browser never parks a keep-alive connection on the listener,
/// and carries an exact <c>Content-Length</c>. No <c>Server</c> or <c>Date</c> field: nothing a page needs, and the less
/// a local prober learns the better.
/// </summary>
/// <param name="Status">One of the statuses the listener uses (see <see cref="ReasonPhrase"/>).</param>
/// <param name="Headers">Extra header fields, written in order; names and values are the caller's constants.</param>
/// <param name="Body">The body (the HTML page), empty for a bare status.</param>
internal sealed record LoopbackHttpResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    /// <summary>A status with no body: 404, 405, 400 for a malformed request, 431 for an oversized head.</summary>
    public static LoopbackHttpResponse Empty(int status, params KeyValuePair<string, string>[] headers) => new(status, headers, "");

    /// <summary>The status line, header fields and body as bytes on the wire (RFC 9112 §4, §6.2).</summary>
    public byte[] Serialize()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {ReasonPhrase(Status)}\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var text = head.ToString();
        var bytes = new byte[Encoding.ASCII.GetByteCount(text) + body.Length];
        var written = Encoding.ASCII.GetBytes(text, bytes);
        body.CopyTo(bytes, written);
        return bytes;
    }

    /// <summary>RFC 9110 §15 reason phrases of the statuses the listener sends.</summary>
    public static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a status the loopback listener sends."),
    };
}
