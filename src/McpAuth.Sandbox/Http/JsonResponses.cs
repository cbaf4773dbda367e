using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>Writes JSON bodies with <see cref="Utf8JsonWriter"/>: no reflection, no serializer context.</summary>
internal static class JsonResponses
{
    /// <summary>Readable output (no <c>\u0022</c>); the bodies are never embedded in HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Sets the RFC 6749 §5.1 headers every token-bearing response carries.</summary>
    public static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>An RFC 6749 §5.2 error response: <c>{"error": ..., "error_description": ...}</c>.</summary>
    public static Task OAuthErrorAsync(HttpContext context, OAuthError error)
    {
        NoStore(context);
        if (error.BasicChallenge)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"sandbox\"";
        }
        return WriteAsync(context, error.Status, writer =>
        {
            writer.WriteString("error", error.Code);
            if (error.Description is not null)
            {
                writer.WriteString("error_description", error.Description);
            }
        });
    }

    public static void WriteStringArray(this Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }
}

/// <summary>An RFC 6749 §5.2 / RFC 7591 §3.2.2 error to answer with.</summary>
/// <param name="Code">The <c>error</c> code.</param>
/// <param name="Description">A fixed, human-readable <c>error_description</c>.</param>
/// <param name="Status">The HTTP status: 400, or 401 for <c>invalid_client</c>.</param>
/// <param name="BasicChallenge">Whether to add <c>WWW-Authenticate: Basic</c> (the client tried HTTP Basic, §5.2).</param>
internal sealed record OAuthError(string Code, string? Description, int Status = 400, bool BasicChallenge = false)
{
    public static OAuthError InvalidRequest(string description) => new("invalid_request", description);

    public static OAuthError InvalidGrant(string description) => new("invalid_grant", description);

    public static OAuthError InvalidClient(string description, bool basic) => new("invalid_client", description, 401, basic);

    public static OAuthError UnauthorizedClient(string description) => new("unauthorized_client", description);

    public static OAuthError InvalidScope(string description) => new("invalid_scope", description);

    public static OAuthError InvalidTarget(string description) => new("invalid_target", description);
}
