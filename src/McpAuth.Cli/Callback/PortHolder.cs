using System.Globalization;

namespace McpAuth.Cli.Callback;

/// <summary>
/// Best effort: names the process listening on a local TCP port (Linux /proc), so "port in use" errors can say who
/// holds it. Returns null when it cannot tell (other OS, other user's process, no permission).
/// </summary>
internal static class PortHolder
{
    public static string? Describe(int port)
    {
        try
        {
            var inode = FindListeningInode(port, "/proc/net/tcp") ?? FindListeningInode(port, "/proc/net/tcp6");
            return inode is null ? null : FindProcess(inode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FindListeningInode(int port, string table)
    {
        if (!File.Exists(table))
        {
            return null;
        }
        foreach (var line in File.ReadLines(table).Skip(1))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 10 || columns[3] != "0A")
            {
                continue;
            }
            var local = columns[1];
            var hexPort = local[(local.LastIndexOf(':') + 1)..];
            if (int.TryParse(hexPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port)
            {
                return columns[9];
            }
        }
        return null;
    }

    private static string? FindProcess(string inode)
    {
        var target = $"socket:[{inode}]";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget == target)
                    {
                        var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                        return $"process {pid} ({name})";
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process: keep looking.
            }
        }
        return null;
    }
}
