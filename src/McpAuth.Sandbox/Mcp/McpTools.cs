using System.Text.Json;

namespace McpAuth.Sandbox;

/// <summary>The sandbox's three tools: <c>echo</c>, <c>whoami</c> and <c>admin</c> (needs the admin scope).</summary>
internal static class McpTools
{
    public static McpOutcome List() => McpOutcome.Ok(writer =>
    {
        writer.WriteStartArray("tools");
        WriteTool(writer, "echo", "Returns its text argument.", schema =>
        {
            schema.WriteStartObject("properties");
            schema.WriteStartObject("text");
            schema.WriteString("type", "string");
            schema.WriteEndObject();
            schema.WriteEndObject();
            schema.WriteStringArray("required", ["text"]);
        });
        WriteTool(writer, "whoami", "Returns the subject, client id and scope of the access token.", null);
        WriteTool(writer, "admin", "Succeeds only with the admin scope (step-up authorization).", null);
        writer.WriteEndArray();
    });

    public static McpOutcome Call(JsonElement parameters, SandboxTokenInfo token, SandboxMcpServerOptions options)
    {
        var name = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()
            : null;
        var arguments = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("arguments", out var a) ? a : default;
        return name switch
        {
            "echo" => Echo(arguments),
            "whoami" => TextResult(WhoAmI(token)),
            "admin" => token.Scopes.Contains(options.AdminScope, StringComparer.Ordinal)
                ? TextResult("admin ok")
                : McpOutcome.Forbidden(string.Join(' ', new[] { options.RequiredScope, options.AdminScope }.Where(s => s.Length > 0))),
            null => McpOutcome.Fail(McpOutcome.InvalidParams, "params.name is required"),
            _ => McpOutcome.Fail(McpOutcome.InvalidParams, "Unknown tool"),
        };
    }

    private static McpOutcome Echo(JsonElement arguments) =>
        arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? TextResult(text.GetString()!)
            : McpOutcome.Fail(McpOutcome.InvalidParams, "echo needs a string argument 'text'");

    private static string WhoAmI(SandboxTokenInfo token)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonResponses.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", token.Subject);
            writer.WriteString("client_id", token.ClientId);
            writer.WriteString("scope", string.Join(' ', token.Scopes));
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static McpOutcome TextResult(string text) => McpOutcome.Ok(writer =>
    {
        writer.WriteStartArray("content");
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", text);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteBoolean("isError", false);
    });

    private static void WriteTool(Utf8JsonWriter writer, string name, string description, Action<Utf8JsonWriter>? schema)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("description", description);
        writer.WriteStartObject("inputSchema");
        writer.WriteString("type", "object");
        schema?.Invoke(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

/// <summary>The outcome of one JSON-RPC request: a result, a JSON-RPC error, or an HTTP 403 for missing scope.</summary>
internal sealed record McpOutcome(Action<Utf8JsonWriter>? Result, int ErrorCode, string? ErrorMessage, string? InsufficientScope)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;

    public static McpOutcome Ok(Action<Utf8JsonWriter> result) => new(result, 0, null, null);

    public static McpOutcome Fail(int code, string message) => new(null, code, message, null);

    /// <summary>HTTP 403 with <c>insufficient_scope</c> naming <paramref name="scope"/> (MCP authorization, step-up).</summary>
    public static McpOutcome Forbidden(string scope) => new(null, 0, null, scope);
}
