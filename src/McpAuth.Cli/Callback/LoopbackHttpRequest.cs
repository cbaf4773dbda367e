using System.Text;

namespace McpAuth.Cli.Callback;

/// <summary>
/// The part of an HTTP/1.x request head (RFC 9112 §3) the loopback listener routes on: the method, the path of an
/// origin-form target and its query exactly as the browser sent it. The query carries the authorization response, so
/// its percent-encoding is never touched here; the one parser of it is the engine's. Header fields are not kept:
/// nothing the listener answers depends on them, and a GET's body is never read.
/// </summary>
/// <param name="Method">The request method, case-sensitive as RFC 9110 §9.1 says.</param>
/// <param name="Path">The target's path part, still percent-encoded.</param>
/// <param name="Query">"?" and the query as sent, or empty when the target has none.</param>
internal sealed record LoopbackHttpRequest(string Method, string Path, string Query)
{
    /// <summary>
    /// Where the head ends (the index just past its empty line), or -1 while it is incomplete. Searching starts a few
    /// bytes before <paramref name="from"/> so a head that arrives one byte at a time is scanned once, not once per byte.
    /// A bare LF ends a line too (RFC 9112 §2.2 lets a recipient accept it).
    /// </summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> received, int from)
    {
        for (var i = Math.Max(from - 3, 0); i < received.Length; i++)
        {
            if (received[i] != (byte)'\n')
            {
                continue;
            }
            if (i + 1 < received.Length && received[i + 1] == (byte)'\n')
            {
                return i + 2;
            }
            if (i + 2 < received.Length && received[i + 1] == (byte)'\r' && received[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }
        return -1;
    }

    /// <summary>
    /// Reads the request line of a complete head. Null when it is not <c>method SP origin-form SP HTTP/1.0|1.1</c>:
    /// an absolute-form, authority-form or asterisk target, a byte outside visible ASCII in the target, another HTTP
    /// version, or anything else a browser would not send to a loopback redirect URI (the caller answers 400).
    /// </summary>
    public static LoopbackHttpRequest? Parse(ReadOnlySpan<byte> head)
    {
        var start = 0;
        while (start < head.Length && head[start] is (byte)'\r' or (byte)'\n')
        {
            start++; // RFC 9112 §2.2: at least one empty line before the request line is ignored.
        }
        var line = head[start..];
        var lineEnd = line.IndexOf((byte)'\n');
        line = lineEnd < 0 ? line : line[..lineEnd];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace)
        {
            return null;
        }
        var method = line[..firstSpace];
        var target = line[(firstSpace + 1)..lastSpace];
        var version = line[(lastSpace + 1)..];
        if (!IsToken(method) || !IsOriginForm(target) || !(version.SequenceEqual("HTTP/1.1"u8) || version.SequenceEqual("HTTP/1.0"u8)))
        {
            return null;
        }
        var fragment = target.IndexOf((byte)'#');
        target = fragment < 0 ? target : target[..fragment];
        var question = target.IndexOf((byte)'?');
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? [] : target[question..];
        return new LoopbackHttpRequest(Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(path), Encoding.ASCII.GetString(query));
    }

    /// <summary>RFC 9112 §3.2.1 origin-form: starts with "/", only visible ASCII (browsers percent-encode the rest).</summary>
    private static bool IsOriginForm(ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty || target[0] != (byte)'/')
        {
            return false;
        }
        foreach (var b in target)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>RFC 9110 §5.6.2 token: the characters a method may contain.</summary>
    private static bool IsToken(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }
        return !value.IsEmpty;
    }
}
