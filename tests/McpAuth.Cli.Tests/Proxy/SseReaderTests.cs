using System.Text;
using McpAuth.Cli.Commands.Proxy;

namespace McpAuth.Cli.Tests.Proxy;

public sealed class SseReaderTests
{
    private static async Task<List<SseEvent>> ReadAsync(string text)
    {
        var events = new List<SseEvent>();
        await foreach (var e in SseReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), default))
        {
            events.Add(e);
        }
        return events;
    }

    [Fact]
    public async Task Reads_events_with_ids_types_comments_and_multi_line_data()
    {
        var events = await ReadAsync(": keep-alive\nid: 7\nevent: message\ndata: {\"a\":\ndata: 1}\n\ndata:no-space\n\n");

        Assert.Equal(2, events.Count);
        Assert.Equal(new SseEvent("7", "message", "{\"a\":\n1}"), events[0]);
        Assert.Equal("no-space", events[1].Data);
        Assert.Equal("message", events[1].Type);
    }

    [Fact]
    public async Task A_final_event_without_blank_line_is_kept_and_empty_events_are_dropped()
    {
        var events = await ReadAsync("event: x\n\ndata: last");

        Assert.Equal("last", Assert.Single(events).Data);
    }
}
