using System.Runtime.InteropServices;

namespace McpAuth.Storage;

/// <summary>
/// Replaces a file so that readers see the old or the new contents, never a mix, even across a crash or power loss:
/// a private temp file in the same folder, written and flushed to disk, renamed over the target, then the folder
/// flushed so the rename itself is durable. On failure the temp file is removed.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>Temp files end with this; <see cref="SweepOrphans"/> removes those left by dead processes.</summary>
    internal const string TempSuffix = ".tmp";

    /// <param name="path">The file to replace.</param>
    /// <param name="contents">Its new contents.</param>
    /// <param name="durable">
    /// False only for hints that may be lost in a power failure without harm (never tokens, keys or anything needed to
    /// find them): the replace is still atomic for readers, but neither the file nor its folder is flushed to disk.
    /// </param>
    /// <exception cref="IOException">The write failed (disk full, I/O error); the target is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is read-only; nothing was written.</exception>
    public static void Replace(string path, ReadOnlySpan<byte> contents, bool durable = true)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, McpAuthHome.PrivateFileOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: durable);
            }
            MoveOver(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        if (durable)
        {
            FlushDirectory(folder);
        }
    }

    /// <summary>
    /// rename(2) over the target. On Windows a reader holding the target open makes the replace fail for a moment, so it
    /// is retried briefly there; on Unix the rename is atomic whoever has the file open.
    /// </summary>
    private static void MoveOver(string temp, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(temp, path, overwrite: true);
                return;
            }
            catch (IOException) when (OperatingSystem.IsWindows() && attempt < 20)
            {
                Thread.Sleep(5 * attempt);
            }
        }
    }

    /// <summary>Deletes a file and flushes its folder; false when it did not exist.</summary>
    public static bool Delete(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        FlushDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>Removes temp files whose writing process is gone (killed mid-write). Returns how many were removed.</summary>
    public static int SweepOrphans(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }
        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(folder, "." + "*" + TempSuffix))
        {
            if (WriterPid(temp) is { } pid && !IsAlive(pid) && TryDelete(temp))
            {
                removed++;
            }
        }
        return removed;
    }

    private static int? WriterPid(string temp)
    {
        // ".<name>.<pid>.<guid>.tmp"
        var parts = Path.GetFileName(temp).Split('.');
        return parts.Length >= 4 && int.TryParse(parts[^3], out var pid) ? pid : null;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>fsync(2) on the folder so a rename or unlink survives a crash. Not needed (nor possible) on Windows.</summary>
    private static void FlushDirectory(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            var fd = NativeOpen(folder, 0);
            if (fd < 0)
            {
                return;
            }
            _ = NativeFsync(fd);
            _ = NativeClose(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Best effort: the data itself was already flushed before the rename.
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int NativeFsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int NativeClose(int fd);
}
