namespace McpAuth.Protocol;

/// <summary>
/// The canonical URI of an MCP server as an RFC 8707 resource indicator (MCP authorization, "Canonical Server URI"):
/// lower-case scheme and host, no default port, no fragment, no trailing slash on a bare origin.
/// </summary>
public static class ResourceUri
{
    /// <summary>The canonical form of <paramref name="server"/>.</summary>
    /// <exception cref="ArgumentException">The URI is not absolute or carries a fragment-only form McpAuth cannot use.</exception>
    public static string Canonicalize(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!server.IsAbsoluteUri)
        {
            throw new ArgumentException("A resource URI must be absolute.", nameof(server));
        }
        var scheme = server.Scheme.ToLowerInvariant();
        var host = server.IdnHost.ToLowerInvariant();
        if (server.HostNameType == UriHostNameType.IPv6)
        {
            host = $"[{host.Trim('[', ']')}]";
        }
        var port = server.IsDefaultPort ? "" : $":{server.Port}";
        var path = server.AbsolutePath == "/" ? "" : server.AbsolutePath;
        return $"{scheme}://{host}{port}{path}{server.Query}";
    }

    /// <summary>The canonical form of a resource given as text.</summary>
    /// <exception cref="ArgumentException">Not an absolute URI.</exception>
    public static string Canonicalize(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return Uri.TryCreate(resource, UriKind.Absolute, out var uri)
            ? Canonicalize(uri)
            : throw new ArgumentException("A resource URI must be absolute.", nameof(resource));
    }

    /// <summary>
    /// True when the protected resource metadata's <c>resource</c> covers <paramref name="server"/> (RFC 9728 §3.3):
    /// same origin after canonicalization, and the resource's path equals the server's path or is a parent of it on a
    /// segment boundary (a server at <c>/mcp</c> may publish its origin as the resource).
    /// </summary>
    public static bool Covers(string resource, Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (resource is null || !Uri.TryCreate(resource, UriKind.Absolute, out var resourceUri) || resourceUri.Fragment.Length > 0
            || resourceUri.Scheme is not ("https" or "http"))
        {
            return false;
        }
        if (!Uri.TryCreate(Canonicalize(resourceUri), UriKind.Absolute, out var a) || !Uri.TryCreate(Canonicalize(server), UriKind.Absolute, out var b))
        {
            return false;
        }
        if (Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.Ordinal) != 0)
        {
            return false;
        }
        var parent = a.AbsolutePath.TrimEnd('/');
        var child = b.AbsolutePath;
        return parent.Length == 0 || child.Equals(parent, StringComparison.Ordinal)
            || child.StartsWith(parent + "/", StringComparison.Ordinal);
    }
}
