using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>
/// JSON-RPC 2.0 over the Streamable HTTP transport, answering each request with one <c>application/json</c> body
/// (the transport allows it instead of an SSE stream). Stateless: no <c>Mcp-Session-Id</c>. Notifications and
/// responses get 202 with no body. The 2026-07-28 revision (<c>server/discover</c>, no <c>initialize</c>) is not
/// spoken: its requests carry <c>MCP-Protocol-Version: 2026-07-28</c> and are answered 400, and the MCP C# SDK
/// 2.3.1 then falls back to <c>initialize</c> at once.
/// </summary>
internal static class McpJsonRpc
{
    /// <summary>The revisions with the <c>initialize</c> handshake this server speaks, oldest first.</summary>
    public static readonly string[] InitializeVersions = ["2025-03-26", "2025-06-18", "2025-11-25"];

    public static string LatestInitializeVersion => InitializeVersions[^1];

    public static async Task HandleAsync(HttpContext context, SandboxMcpServer server, SandboxTokenInfo token)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, default, McpOutcome.Fail(McpOutcome.ParseError, "Parse error")).ConfigureAwait(false);
            return;
        }
        using (document)
        {
            await HandleMessageAsync(context, server, token, document.RootElement).ConfigureAwait(false);
        }
    }

    private static Task HandleMessageAsync(HttpContext context, SandboxMcpServer server, SandboxTokenInfo token, JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String
            || version.GetString() != "2.0")
        {
            return WriteAsync(context, StatusCodes.Status400BadRequest, default, McpOutcome.Fail(McpOutcome.InvalidRequest, "Invalid Request"));
        }
        var hasMethod = message.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String;
        var hasId = message.TryGetProperty("id", out var id);
        if (hasId && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            // MCP: a request id is a string or an integer, never null.
            return WriteAsync(context, StatusCodes.Status400BadRequest, default, McpOutcome.Fail(McpOutcome.InvalidRequest, "Invalid Request"));
        }
        if (!hasMethod)
        {
            // A response to a server request (this server sends none) or garbage.
            var isResponse = hasId && (message.TryGetProperty("result", out _) || message.TryGetProperty("error", out _));
            return isResponse ? Accepted(context) : WriteAsync(context, StatusCodes.Status400BadRequest, default, McpOutcome.Fail(McpOutcome.InvalidRequest, "Invalid Request"));
        }
        var name = method.GetString()!;
        server.Stats.Increment(SandboxCounters.McpMethod(name));
        if (!hasId)
        {
            return Accepted(context);
        }
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        var outcome = Dispatch(name, parameters, token, server.Options);
        if (outcome.InsufficientScope is { } scope)
        {
            return server.ForbidAsync(context, scope);
        }
        return WriteAsync(context, StatusCodes.Status200OK, id, outcome);
    }

    private static McpOutcome Dispatch(string method, JsonElement parameters, SandboxTokenInfo token, SandboxMcpServerOptions options) =>
        method switch
        {
            "initialize" => Initialize(parameters),
            "ping" => McpOutcome.Ok(_ => { }),
            "tools/list" => McpTools.List(),
            "tools/call" => McpTools.Call(parameters, token, options),
            _ => McpOutcome.Fail(McpOutcome.MethodNotFound, "Method not found"),
        };

    /// <summary>Version negotiation: the client's version when supported, else the latest this server speaks.</summary>
    private static McpOutcome Initialize(JsonElement parameters)
    {
        var requested = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("protocolVersion", out var v)
            && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var version = requested is not null && InitializeVersions.Contains(requested) ? requested : LatestInitializeVersion;
        return McpOutcome.Ok(writer =>
        {
            writer.WriteString("protocolVersion", version);
            WriteCapabilities(writer);
            writer.WriteStartObject("serverInfo");
            writer.WriteString("name", "mcpauth-sandbox");
            writer.WriteString("version", "1.0.0");
            writer.WriteEndObject();
        });
    }

    private static void WriteCapabilities(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("capabilities");
        writer.WriteStartObject("tools");
        writer.WriteBoolean("listChanged", false);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static Task Accepted(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return Task.CompletedTask;
    }

    private static Task WriteAsync(HttpContext context, int status, JsonElement id, McpOutcome outcome) =>
        JsonResponses.WriteAsync(context, status, writer =>
        {
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            if (id.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                id.WriteTo(writer);
            }
            if (outcome.Result is { } result)
            {
                writer.WriteStartObject("result");
                result(writer);
                writer.WriteEndObject();
                return;
            }
            writer.WriteStartObject("error");
            writer.WriteNumber("code", outcome.ErrorCode);
            writer.WriteString("message", outcome.ErrorMessage);
            writer.WriteEndObject();
        });
}
