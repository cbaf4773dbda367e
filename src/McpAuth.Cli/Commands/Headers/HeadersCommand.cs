using McpAuth.Cli.Commands.Token;

namespace McpAuth.Cli.Commands.Headers;

/// <summary>
/// The <c>headers</c> verb: <c>mcpauth token</c> shaped as the JSON object of headers that clients which run a command
/// for their headers expect (Claude Code's <c>headersHelper</c>).
/// </summary>
public sealed class HeadersCommand() : TokenVerbCommand("headers",
    "Print the headers to send to the server as a JSON object ({\"Authorization\": \"Bearer ...\"}), refreshed first when needed; exit 4 when a login is needed",
    "mcpauth headers https://mcp.example.com/mcp",
    "claude mcp add-json example '{\"type\":\"http\",\"url\":\"https://mcp.example.com/mcp\",\"headersHelper\":\"mcpauth headers https://mcp.example.com/mcp\"}'");
