using System.Security.Cryptography;

namespace McpAuth.Storage.Keys;

/// <summary>The store key and how it is protected.</summary>
/// <param name="Key">The 256-bit AES key.</param>
/// <param name="Protection">The <see cref="IKeyProtector.Name"/> that holds it.</param>
/// <param name="FallbackReason">Why a stronger protector was not used, when one was skipped; null otherwise.</param>
public sealed record StoreKeyChoice(byte[] Key, string Protection, string? FallbackReason);

/// <summary>
/// Chooses where the store key lives. The first available protector wins the first time; the choice is written to a
/// marker file so later runs keep using the same place (a key found in the keychain today must not be replaced by a new
/// key file tomorrow just because the session bus is missing: that would make every entry unreadable).
/// </summary>
public static class StoreKeySelector
{
    /// <param name="protectors">Candidates, strongest first; the last one should always be available (the key file).</param>
    /// <param name="markerPath">The file remembering the chosen protection.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreKeyUnavailable"/> when the remembered protector is not available now, or none is.
    /// </exception>
    public static StoreKeyChoice Choose(IReadOnlyList<IKeyProtector> protectors, string markerPath)
    {
        ArgumentNullException.ThrowIfNull(protectors);
        var remembered = ReadMarker(markerPath);
        if (remembered is not null)
        {
            var protector = protectors.FirstOrDefault(p => p.Name == remembered)
                ?? throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, $"{remembered} is not supported here");
            if (!protector.IsAvailable(out var reason))
            {
                throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, $"the key is in {remembered}: {reason}");
            }
            return new(LoadOrCreate(protector), protector.Name, null);
        }
        var skipped = new List<string>();
        var available = new List<IKeyProtector>();
        foreach (var protector in protectors)
        {
            if (protector.IsAvailable(out var reason))
            {
                available.Add(protector);
            }
            else if (available.Count == 0)
            {
                skipped.Add(reason ?? protector.Name + " unavailable");
            }
        }
        if (available.Count == 0)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, string.Join("; ", skipped));
        }
        // No marker (first run, or a store from before markers): a protector that already holds a key keeps it.
        var chosen = available.FirstOrDefault(p => p.LoadKey() is not null) ?? available[0];
        var key = LoadOrCreate(chosen);
        WriteMarker(markerPath, chosen.Name);
        var fallback = chosen == protectors[0] ? null : string.Join("; ", skipped.DefaultIfEmpty($"a key already existed in {chosen.Name}"));
        return new(key, chosen.Name, fallback);
    }

    /// <summary>
    /// The remembered key, when the marker and that key both exist and the key is well-formed: what every start after
    /// the first finds, read without the setup lock. Null when a key must be chosen or created, or when something is
    /// wrong; then <see cref="Choose"/>, under the setup lock, decides and reports.
    /// </summary>
    public static StoreKeyChoice? TryLoadRemembered(IReadOnlyList<IKeyProtector> protectors, string markerPath)
    {
        ArgumentNullException.ThrowIfNull(protectors);
        if (ReadMarker(markerPath) is not { } remembered)
        {
            return null;
        }
        foreach (var protector in protectors)
        {
            if (protector.Name == remembered)
            {
                return protector.IsAvailable(out _) && protector.LoadKey() is { Length: EntryCipher.KeySize } key
                    ? new(key, protector.Name, null)
                    : null;
            }
        }
        return null;
    }

    private static byte[] LoadOrCreate(IKeyProtector protector)
    {
        var key = protector.LoadKey();
        if (key is not null)
        {
            return key.Length == EntryCipher.KeySize
                ? key
                : throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, $"the key in {protector.Name} has the wrong length");
        }
        key = RandomNumberGenerator.GetBytes(EntryCipher.KeySize);
        protector.SaveKey(key);
        return key;
    }

    /// <summary>The remembered protection name, or null when none was chosen yet.</summary>
    internal static string? ReadMarker(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, Path.GetFileName(path), e);
        }
    }

    private static void WriteMarker(string path, string name)
    {
        try
        {
            // Not flushed to disk: a marker lost in a power failure is re-derived from where the key is (see Choose).
            AtomicFile.Replace(path, System.Text.Encoding.ASCII.GetBytes(name + "\n"), durable: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreKeyUnavailable, Path.GetFileName(path), e);
        }
    }
}
