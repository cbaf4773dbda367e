namespace McpAuth.Protocol;

/// <summary>Loopback addresses (RFC 8252 §7.3, §8.3): the local machine's names and addresses.</summary>
public static class Loopback
{
    /// <summary>True when <paramref name="uri"/> names the local machine (localhost, *.localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsLoopback)
        {
            return true;
        }
        var host = uri.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }
}
