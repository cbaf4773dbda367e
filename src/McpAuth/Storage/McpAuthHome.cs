namespace McpAuth.Storage;

/// <summary>
/// The McpAuth home folder: <c>MCPAUTH_HOME</c> when set, otherwise <c>mcpauth</c> under the platform's per-user
/// configuration folder (<c>$XDG_CONFIG_HOME</c> or <c>~/.config</c> on Linux and macOS, <c>%APPDATA%</c> on Windows).
/// </summary>
public static class McpAuthHome
{
    /// <summary>The environment variable that overrides the home folder.</summary>
    public const string EnvironmentVariable = "MCPAUTH_HOME";

    /// <summary>Folder and file modes used on Unix: only the user may read, write or list.</summary>
    internal const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    internal const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Options that open a file exclusively and, when it is created, create it 0600 on Unix. Unbuffered: the store
    /// writes each file whole in one call (and a lock file not at all), so a 4 KB buffer per file would be copied
    /// through for nothing.
    /// </summary>
    internal static FileStreamOptions PrivateFileOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }
        return options;
    }

    /// <summary>Resolves the home folder without creating it.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    public static string Resolve(Func<string, string?>? getEnvironmentVariable = null)
    {
        var configured = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        var config = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(config))
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, "no per-user configuration folder; set " + EnvironmentVariable);
        }
        return Path.Combine(config, "mcpauth");
    }

    /// <summary>
    /// Creates <paramref name="path"/> private to the user (0700 on Unix, whatever the umask); missing parents get the
    /// usual mode, as <c>~/.config</c> would. An existing folder is left as it is. For files an application keeps beside the store in the home: create their
    /// folder with this, not <see cref="Directory.CreateDirectory(string)"/>, whose umask mode would also apply to a
    /// missing home.
    /// </summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.StoreUnavailable"/> when it cannot be created.</exception>
    public static void EnsurePrivateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }
            Directory.CreateDirectory(path, PrivateDirectoryMode);
            if (File.GetUnixFileMode(path) != PrivateDirectoryMode)
            {
                File.SetUnixFileMode(path, PrivateDirectoryMode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, path, e);
        }
    }
}
