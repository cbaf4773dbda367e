using System.Text.Json;

namespace McpAuth.Cli.Commands.Import;

/// <summary>
/// The servers a Claude Desktop (<c>claude_desktop_config.json</c>) or Cursor (<c>mcp.json</c>) configuration starts
/// through mcp-remote: each <c>mcpServers</c> entry whose command or arguments name <c>mcp-remote</c>
/// (<c>npx -y mcp-remote@latest URL --header ...</c>), read as mcp-remote reads its own arguments: the --header pairs
/// taken out first, then the first argument is the URL.
/// </summary>
public static class McpRemoteConfig
{
    /// <exception cref="CliException">The file cannot be read or is not such a configuration.</exception>
    public static IReadOnlyList<(string Name, McpRemoteServer Server)> Servers(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!json.RootElement.TryGetProperty("mcpServers", out var servers) || servers.ValueKind != JsonValueKind.Object)
            {
                throw new CliException($"{path} has no mcpServers object (a Claude Desktop or Cursor configuration has one).");
            }
            return servers.EnumerateObject()
                .Select(s => (s.Name, Server: FromEntry(s.Value)))
                .Where(s => s.Server is not null)
                .Select(s => (s.Name, s.Server!))
                .ToList();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path} as a JSON configuration.", ExitCodes.Error, e);
        }
    }

    private static McpRemoteServer? FromEntry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var words = new List<string>();
        if (entry.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String)
        {
            words.Add(command.GetString()!);
        }
        if (entry.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array)
        {
            words.AddRange(args.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
        }
        var start = words.FindIndex(IsMcpRemote);
        return start < 0 ? null : FromArguments(words.Skip(start + 1).ToList());
    }

    /// <summary>mcp-remote's own arguments (after its name) as it reads them; null without a URL.</summary>
    public static McpRemoteServer? FromArguments(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var rest = new List<string>();
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--header" && i + 1 < arguments.Count)
            {
                if (McpRemoteStore.ParseHeader(arguments[++i]) is { } header)
                {
                    headers.Add(header);
                }
                continue;
            }
            rest.Add(arguments[i]);
        }
        var resource = rest.IndexOf("--resource") is var r and >= 0 && r + 1 < rest.Count && !rest.Contains("--disable-resource-parameter")
            ? rest[r + 1].Trim()
            : null;
        return rest.Count > 0 && !rest[0].StartsWith('-') ? new McpRemoteServer(rest[0], headers, resource is { Length: > 0 } ? resource : null) : null;
    }

    private static bool IsMcpRemote(string word)
    {
        var name = word.Replace('\\', '/').Split('/')[^1];
        return name == "mcp-remote" || name.StartsWith("mcp-remote@", StringComparison.Ordinal);
    }
}
