using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpAuth.Cli.Commands.Import;

/// <summary>One server as mcp-remote is started for it: the URL and the arguments that key its store entry.</summary>
/// <param name="Headers">The --header values as written (mcp-remote keys its store before expanding <c>${VAR}</c>).</param>
/// <param name="Resource">mcp-remote's --resource, if any.</param>
public sealed record McpRemoteServer(string Url, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Resource = null);

/// <summary>What mcp-remote stored for a server: the tokens and the client registration they were issued to.</summary>
public sealed record McpRemoteCredential(
    string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, string? Scope, string ClientId, string? ClientSecret, Uri RedirectUri)
{
    public override string ToString() => $"McpRemoteCredential {{ ClientId = {ClientId}, ExpiresAt = {ExpiresAt}, RedirectUri = {RedirectUri} }}";
}

/// <summary>
/// Reads mcp-remote's credential store (0.15.1): <c>$MCP_REMOTE_CONFIG_DIR</c> or <c>~/.mcp-auth</c>, folders
/// <c>mcp-remote-*</c>, files <c>&lt;hash&gt;_tokens.json</c> and <c>&lt;hash&gt;_client_info.json</c>, where the hash is
/// mcp-remote's <c>getServerUrlHash</c>: the MD5 (hex) of the server URL, the --resource value and the headers as
/// <c>JSON.stringify(headers, sortedKeys)</c>, joined with "|".
/// </summary>
public static partial class McpRemoteStore
{
    /// <summary>mcp-remote's store folder for this environment.</summary>
    public static string ConfigDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("MCP_REMOTE_CONFIG_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mcp-auth");
    }

    /// <summary>mcp-remote's key for a server (its <c>getServerUrlHash</c>, for the arguments McpAuth reads).</summary>
    public static string Hash(McpRemoteServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var parts = new List<string> { server.Url };
        if (!string.IsNullOrEmpty(server.Resource))
        {
            parts.Add(server.Resource);
        }
        if (server.Headers.Count > 0)
        {
            // A JavaScript object: the last value of a repeated name wins; JSON.stringify with sorted keys.
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in server.Headers)
            {
                headers[name] = value;
            }
            parts.Add("{" + string.Join(",", headers.Keys.Order(StringComparer.Ordinal).Select(k => $"{JsString(k)}:{JsString(headers[k])}")) + "}");
        }
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join("|", parts))));
    }

    /// <summary>Parses a header as mcp-remote does (<c>Name:value</c>, the value's leading spaces dropped); null when it would ignore it.</summary>
    public static KeyValuePair<string, string>? ParseHeader(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return HeaderLine().Match(line) is { Success: true } m ? new(m.Groups[1].Value, m.Groups[2].Value) : null;
    }

    /// <summary>The newest credential mcp-remote stored for <paramref name="server"/> in <paramref name="directory"/>, or null.</summary>
    /// <exception cref="CliException">A file is there but not what mcp-remote writes.</exception>
    public static McpRemoteCredential? Find(string directory, McpRemoteServer server)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var hash = Hash(server);
        var tokens = Directory.Exists(directory)
            ? Directory.GetDirectories(directory, "mcp-remote-*").Select(d => new FileInfo(Path.Combine(d, $"{hash}_tokens.json")))
                .Where(f => f.Exists && File.Exists(Path.Combine(f.DirectoryName!, $"{hash}_client_info.json")))
                .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()
            : null;
        return tokens is null ? null : Read(tokens, new FileInfo(Path.Combine(tokens.DirectoryName!, $"{hash}_client_info.json")));
    }

    private static McpRemoteCredential Read(FileInfo tokensFile, FileInfo clientFile)
    {
        try
        {
            using var tokens = JsonDocument.Parse(File.ReadAllBytes(tokensFile.FullName));
            using var client = JsonDocument.Parse(File.ReadAllBytes(clientFile.FullName));
            var t = tokens.RootElement;
            var c = client.RootElement;
            DateTimeOffset? expiresAt = Number(t, "expires_at") is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms)
                : Number(t, "expires_in") is { } seconds ? new DateTimeOffset(tokensFile.LastWriteTimeUtc).AddSeconds(seconds)
                : null;
            var redirect = c.GetProperty("redirect_uris").EnumerateArray().Select(u => u.GetString()).FirstOrDefault();
            return new McpRemoteCredential(
                String(t, "access_token") ?? throw Unreadable(tokensFile), String(t, "refresh_token"), expiresAt, String(t, "scope"),
                String(c, "client_id") ?? throw Unreadable(clientFile), String(c, "client_secret"),
                Uri.TryCreate(redirect, UriKind.Absolute, out var uri) ? uri : throw Unreadable(clientFile));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new CliException($"{tokensFile.FullName} or {clientFile.Name} is not what mcp-remote writes.", ExitCodes.Error, e);
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static CliException Unreadable(FileInfo file) => new($"{file.FullName} is not what mcp-remote writes.");

    /// <summary>A string as JavaScript's JSON.stringify writes it.</summary>
    private static string JsString(string value)
    {
        var json = new StringBuilder("\"");
        foreach (var c in value)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return json.Append('"').ToString();
    }

    [GeneratedRegex("^([A-Za-z0-9_-]+):\\s*(.*)\\z")]
    private static partial Regex HeaderLine();
}
