namespace McpAuth.Cli.Engine;

/// <summary>
/// Reads a file that holds a secret (a private key, a connection string with a password, the store's envelope key)
/// only when no other user can read or write it: mode 0600 or 0400 on Unix, refused otherwise, as ssh does.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Why <paramref name="path"/> may not be read (it is missing, or others can read or write it); null when it may.</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">What named the file (a flag or a variable), first in the message.</param>
    public static string? Refusal(string path, string source)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return $"{source}: {path} does not exist.";
        }
        return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOthers) != 0
            ? $"{source}: {path} can be read or written by other users; make it private with chmod 600 {path}."
            : null;
    }
}
