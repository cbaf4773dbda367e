using Microsoft.AspNetCore.Http;

namespace McpAuth.Sandbox;

/// <summary>The RFC 9728 §2 protected resource metadata document of the MCP endpoint.</summary>
internal static class ProtectedResourceMetadata
{
    public static Task WriteAsync(HttpContext context, SandboxMcpServer server) =>
        JsonResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("resource", server.McpServerUrl.AbsoluteUri);
            writer.WriteStringArray("authorization_servers", server.Options.AuthorizationServers);
            writer.WriteStringArray("scopes_supported", server.Options.ScopesSupported);
            writer.WriteStringArray("bearer_methods_supported", ["header"]);
            writer.WriteString("resource_name", "McpAuth sandbox MCP server");
        });
}

/// <summary>Transport-level checks of a Streamable HTTP POST, before any authorization.</summary>
internal static class McpRequestChecks
{
    private static readonly string[] KnownVersions = [.. McpJsonRpc.InitializeVersions];

    /// <summary>The status to reject the request with, or null to go on.</summary>
    public static int? Reject(HttpRequest request)
    {
        // MCP transports: servers must validate Origin to stop DNS rebinding; only loopback pages may call.
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !IsLoopbackOrigin(origin))
        {
            return StatusCodes.Status403Forbidden;
        }
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return StatusCodes.Status415UnsupportedMediaType;
        }
        var accept = request.Headers.Accept.ToString();
        if (accept.Length > 0 && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal))
        {
            return StatusCodes.Status406NotAcceptable;
        }
        // 2025-06-18 transports: an unsupported MCP-Protocol-Version header is answered 400.
        var version = request.Headers["MCP-Protocol-Version"].ToString();
        return version.Length > 0 && !KnownVersions.Contains(version) ? StatusCodes.Status400BadRequest : null;
    }

    private static bool IsLoopbackOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");
}
