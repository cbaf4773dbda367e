namespace McpAuth.Storage.Keys;

/// <summary>
/// The fallback where no OS secret store works (e.g. Linux without a session bus): the key in a file beside the store,
/// readable only by the user (0600). Anyone who can read the user's files can read the key; the store reports this
/// protection as "key-file" so <c>status</c> can say so.
/// </summary>
public sealed class KeyFileProtector(string path) : IKeyProtector
{
    /// <inheritdoc/>
    public string Name => KeyProtectionNames.KeyFile;

    /// <summary>The key file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc/>
    public bool IsAvailable(out string? reason)
    {
        reason = null;
        return true;
    }

    /// <inheritdoc/>
    public byte[]? LoadKey()
    {
        try
        {
            var text = File.ReadAllText(Path).Trim();
            return Convert.FromBase64String(text);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (FormatException e)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, System.IO.Path.GetFileName(Path), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, System.IO.Path.GetFileName(Path), e);
        }
    }

    /// <inheritdoc/>
    public void SaveKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            AtomicFile.Replace(Path, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, System.IO.Path.GetFileName(Path), e);
        }
    }
}
