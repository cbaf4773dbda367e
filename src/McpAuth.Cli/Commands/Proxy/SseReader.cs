using System.Runtime.CompilerServices;
using System.Text;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>One server-sent event (HTML Living Standard §9.2.6).</summary>
public sealed record SseEvent(string? Id, string Type, string Data);

/// <summary>Reads server-sent events from a <c>text/event-stream</c> body, as Streamable HTTP MCP servers send them.</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var reader = new StreamReader(body, Encoding.UTF8);
        var data = new StringBuilder();
        string? id = null;
        var type = "message";
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new SseEvent(id, type, data.ToString());
                }
                data.Clear();
                hasData = false;
                type = "message";
                continue;
            }
            if (line[0] == ':')
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }
            switch (field)
            {
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }
                    data.Append(value);
                    hasData = true;
                    break;
                case "event":
                    type = value;
                    break;
                case "id":
                    id = value;
                    break;
            }
        }
        if (hasData)
        {
            yield return new SseEvent(id, type, data.ToString());
        }
    }
}
