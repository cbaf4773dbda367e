using System.Diagnostics;

namespace McpAuth.Storage;

/// <summary>
/// A cross-process exclusive lock: a <c>.lock</c> file opened with <see cref="FileShare.None"/> (flock on Unix, a share
/// lock on Windows), retried until a deadline. The OS releases it when the holder's process dies.
/// </summary>
internal static class FileLock
{
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(25);

    /// <returns>The open lock file; disposing it releases the lock.</returns>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.StoreLockTimeout"/> after <paramref name="timeout"/>;
    /// <see cref="McpAuthErrorCode.StoreUnavailable"/> when the lock file cannot be created.
    /// </exception>
    public static async ValueTask<FileStream> AcquireAsync(string path, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryOpen(path, name) is { } stream)
            {
                return stream;
            }
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new McpAuthException(McpAuthErrorCode.StoreLockTimeout, name);
            }
            await Task.Delay(Min(delay, remaining), cancellationToken).ConfigureAwait(false);
            delay = Min(delay * 2, MaxPollInterval);
        }
    }

    /// <summary>The synchronous form, for one-time setup (creating the store key).</summary>
    public static FileStream Acquire(string path, string name, TimeSpan timeout) =>
        AcquireAsync(path, name, timeout, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static FileStream? TryOpen(string path, string name)
    {
        try
        {
            return new FileStream(path, McpAuthHome.PrivateFileOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite));
        }
        catch (IOException e) when (IsContention(e))
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new McpAuthException(McpAuthErrorCode.StoreUnavailable, name, e);
        }
    }

    // Windows: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION. Unix: a held flock surfaces as a plain IOException whose
    // HResult is the raw errno EWOULDBLOCK (11 on Linux, 35 on macOS) - checked by the contract's lock tests.
    private const int EWouldBlockLinux = 11;
    private const int EWouldBlockMac = 35;

    private static bool IsContention(IOException e) =>
        e.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021)
        || e.GetType() == typeof(IOException) && e.HResult is EWouldBlockLinux or EWouldBlockMac;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
