using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Sends JSON-RPC messages to a Streamable HTTP MCP server (MCP transports, "Streamable HTTP") with credentials and
/// custom headers attached, and hands every message the server returns (JSON body or SSE stream) to a sink.
/// Keeps the <c>Mcp-Session-Id</c> and <c>MCP-Protocol-Version</c> headers the server asks for.
/// </summary>
public sealed class StreamableHttpForwarder(
    HttpClient http, Uri server, IProxyCredentials credentials, IReadOnlyList<KeyValuePair<string, string>> headers,
    Func<string, Task> sink, TextWriter log)
{
    private const string SessionHeader = "Mcp-Session-Id";
    /// <summary>Logins in a row the server kept refusing: after these, a rejection is passed on without another browser flow.</summary>
    internal const int MaxLoginsWithoutSuccess = 3;
    private int _loginsWithoutSuccess;
    private string? _sessionId;
    private string? _protocolVersion;

    /// <summary>The session id the server assigned, once it has.</summary>
    public string? SessionId => _sessionId;

    /// <summary>Forwards one message from the client; a failure becomes a JSON-RPC error for requests.</summary>
    public async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        var (ok, parsed) = await ParseAsync(message, "ignored a line from the client that is not JSON").ConfigureAwait(false);
        if (!ok)
        {
            return;
        }
        var id = (parsed as JsonObject)?["id"]?.DeepClone();
        var isInitialize = (parsed as JsonObject)?["method"] is JsonValue method && method.TryGetValue(out string? name) && name == "initialize";
        try
        {
            using var response = await PostWithCredentialsAsync(message, cancellationToken).ConfigureAwait(false);
            if (response.Headers.TryGetValues(SessionHeader, out var sessions))
            {
                _sessionId = sessions.FirstOrDefault();
            }
            if (!response.IsSuccessStatusCode)
            {
                await FailAsync(id, $"The MCP server answered HTTP {(int)response.StatusCode}.").ConfigureAwait(false);
                return;
            }
            await RelayBodyAsync(response, isInitialize, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await FailAsync(id, $"The MCP server could not be reached ({e.HttpRequestError}).").ConfigureAwait(false);
        }
        catch (McpAuthException e)
        {
            await FailAsync(id, e.Message).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens the GET stream for server-initiated messages and relays them until it ends or cancellation.
    /// Returns false when the server offers no such stream (405).
    /// </summary>
    public async Task<bool> ListenAsync(CancellationToken cancellationToken)
    {
        using var response = await SendWithCredentialsAsync(() => NewRequest(HttpMethod.Get, null), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed || !response.IsSuccessStatusCode)
        {
            return false;
        }
        await RelayBodyAsync(response, false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends the session at the server (best effort).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_sessionId is null)
        {
            return;
        }
        try
        {
            using var response = await SendWithCredentialsAsync(() => NewRequest(HttpMethod.Delete, null), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The session ends with the server anyway.
        }
    }

    private Task<HttpResponseMessage> PostWithCredentialsAsync(string message, CancellationToken cancellationToken) =>
        SendWithCredentialsAsync(() => NewRequest(HttpMethod.Post, message), cancellationToken);

    private async Task<HttpResponseMessage> SendWithCredentialsAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            request.Headers.Authorization = await credentials.GetAuthorizationAsync(cancellationToken).ConfigureAwait(false);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var rejected = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
            if (!rejected)
            {
                Interlocked.Exchange(ref _loginsWithoutSuccess, 0);
                return response;
            }
            if (attempt >= 2 || !await TryLoginAgainAsync(response, cancellationToken).ConfigureAwait(false))
            {
                return response;
            }
            response.Dispose();
        }
    }

    /// <summary>
    /// Hands a rejection to the credentials (refresh, login, step-up) unless the server refused the last
    /// <see cref="MaxLoginsWithoutSuccess"/> fresh logins: a server that never accepts would otherwise open a browser
    /// flow for every message.
    /// </summary>
    private async Task<bool> TryLoginAgainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loginsWithoutSuccess) >= MaxLoginsWithoutSuccess)
        {
            return false;
        }
        if (!await credentials.HandleRejectionAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        if (Interlocked.Increment(ref _loginsWithoutSuccess) == MaxLoginsWithoutSuccess)
        {
            await log.WriteLineAsync(
                $"mcpauth proxy: the server refused {MaxLoginsWithoutSuccess} fresh logins in a row; its rejections are passed on without logging in again until a request succeeds.")
                .ConfigureAwait(false);
        }
        return true;
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string? body)
    {
        var request = new HttpRequestMessage(method, server);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (_sessionId is not null)
        {
            request.Headers.TryAddWithoutValidation(SessionHeader, _sessionId);
        }
        if (_protocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", _protocolVersion);
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    private async Task RelayBodyAsync(HttpResponseMessage response, bool isInitialize, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == "text/event-stream")
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var sse in SseReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                await RelayMessageAsync(sse.Data, isInitialize).ConfigureAwait(false);
            }
            return;
        }
        if (mediaType == "application/json")
        {
            await RelayMessageAsync(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), isInitialize)
                .ConfigureAwait(false);
        }
    }

    private async Task RelayMessageAsync(string json, bool isInitialize)
    {
        var (ok, node) = await ParseAsync(json, "the MCP server sent a message that is not JSON; dropped").ConfigureAwait(false);
        if (!ok)
        {
            return;
        }
        if (isInitialize && node?["result"]?["protocolVersion"] is JsonValue version && version.TryGetValue(out string? text))
        {
            _protocolVersion = text;
        }
        await sink(node?.ToJsonString() ?? "null").ConfigureAwait(false);
    }

    /// <summary>Parses one JSON-RPC message; on failure says <paramref name="complaint"/> on stderr.</summary>
    private async Task<(bool Ok, JsonNode? Node)> ParseAsync(string json, string complaint)
    {
        try
        {
            return (true, JsonNode.Parse(json));
        }
        catch (JsonException)
        {
            await log.WriteLineAsync($"mcpauth proxy: {complaint}.").ConfigureAwait(false);
            return (false, null);
        }
    }

    private async Task FailAsync(JsonNode? id, string message)
    {
        await log.WriteLineAsync($"mcpauth proxy: {message}").ConfigureAwait(false);
        if (id is null)
        {
            return;
        }
        var error = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["error"] = new JsonObject { ["code"] = -32000, ["message"] = message },
        };
        await sink(error.ToJsonString()).ConfigureAwait(false);
    }
}
