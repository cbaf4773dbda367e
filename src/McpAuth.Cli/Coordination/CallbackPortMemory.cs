using System.Security.Cryptography;
using System.Text;
using McpAuth.Storage;

namespace McpAuth.Cli.Coordination;

/// <summary>
/// Remembers the redirect URI a login for (server, profile) last used, under $MCPAUTH_HOME/ports, so the next login binds
/// the same port (the registration's redirect URI stays valid, no re-registration) and refreshes find the registration,
/// which the store keys by (issuer, redirect URI).
/// </summary>
public sealed class CallbackPortMemory(string home)
{
    /// <summary>The redirect URI used last time, or null.</summary>
    public Uri? RecallRedirectUri(Uri server, string profile)
    {
        try
        {
            var text = File.ReadAllText(PathFor(server, profile)).Trim();
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.IsLoopback ? uri : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The port used last time, or null.</summary>
    public int? Recall(Uri server, string profile) => RecallRedirectUri(server, profile)?.Port;

    public void Remember(Uri server, string profile, Uri redirectUri)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var path = PathFor(server, profile);
        McpAuthHome.EnsurePrivateDirectory(home); // first: it may not exist yet, and must be 0700
        McpAuthHome.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, redirectUri.AbsoluteUri);
        File.Move(temporary, path, overwrite: true);
    }

    private string PathFor(Uri server, string profile)
    {
        ArgumentNullException.ThrowIfNull(server);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{McpAuth.Protocol.ResourceUri.Canonicalize(server).TrimEnd('/')}\n{profile}"));
        return Path.Combine(home, "ports", Convert.ToHexStringLower(hash.AsSpan(0, 12)));
    }
}
