using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Cli.Coordination;

/// <summary>
/// Remembers the callback port a login for (server, profile) last used, under $MCPAUTH_HOME/ports, so the next login
/// binds the same port and the registration's redirect URI stays valid (no re-registration).
/// </summary>
public sealed class CallbackPortMemory(string home)
{
    public int? Recall(Uri server, string profile)
    {
        try
        {
            var text = File.ReadAllText(PathFor(server, profile)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Remember(Uri server, string profile, int port)
    {
        var path = PathFor(server, profile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temporary, port.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, path, overwrite: true);
    }

    private string PathFor(Uri server, string profile)
    {
        ArgumentNullException.ThrowIfNull(server);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{server.AbsoluteUri}\n{profile}"));
        return Path.Combine(home, "ports", Convert.ToHexStringLower(hash.AsSpan(0, 12)));
    }
}
