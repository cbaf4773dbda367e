using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Keeps the JSON-RPC error a server answered with an HTTP error status (a 400 with <c>-32602</c>, a 404 "session not
/// found"), so the proxy hands the client that very error (code, message, data). Hand-written because the SDK's client
/// transport turns such a response into an exception that keeps the code but rewrites the message and drops
/// non-object data; the proxy must pass the server's error through unchanged. It reads only an
/// <c>application/json</c> body of at most <see cref="MaxBody"/> bytes, and buffers it, so the SDK still reads it.
/// </summary>
internal sealed class JsonRpcErrorCapture : DelegatingHandler
{
    private const int MaxBody = 64 * 1024;
    private static readonly AsyncLocal<Slot?> Current = new();
    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    public JsonRpcErrorCapture(HttpMessageHandler inner) : base(inner)
    {
    }

    /// <summary>Starts watching the requests the current flow sends (one message's POST and its retries).</summary>
    public static Slot Watch() => Current.Value = new Slot();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (Current.Value is { } slot && !response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json"
            && response.Content.Headers.ContentLength is null or <= MaxBody)
        {
            try
            {
                await response.Content.LoadIntoBufferAsync(MaxBody, cancellationToken).ConfigureAwait(false);
                slot.Error = TryParse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (HttpRequestException)
            {
                // Too large or cut short: the client gets the proxy's own error instead.
            }
        }
        return response;
    }

    private static JsonRpcError? TryParse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, MessageType) as JsonRpcError;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The last JSON-RPC error seen for one message, if any.</summary>
    internal sealed class Slot
    {
        public JsonRpcError? Error { get; set; }
    }
}
