namespace McpAuth.Cli.Engine;

/// <summary>
/// Compares a server URL typed by the user with a stored resource URI: scheme and host case-insensitive, default port
/// dropped, no query or fragment, a trailing slash ignored.
/// </summary>
public static class ResourceMatch
{
    public static string Normalize(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return uri;
        }
        var path = parsed.AbsolutePath.TrimEnd('/');
        var port = parsed.IsDefaultPort ? "" : $":{parsed.Port}";
        return $"{parsed.Scheme.ToLowerInvariant()}://{parsed.Host.ToLowerInvariant()}{port}{path}";
    }

    public static bool Same(string stored, Uri asked)
    {
        ArgumentNullException.ThrowIfNull(asked);
        return string.Equals(Normalize(stored), Normalize(asked.AbsoluteUri), StringComparison.Ordinal);
    }
}
