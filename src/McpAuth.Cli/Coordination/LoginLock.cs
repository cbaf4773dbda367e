using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using McpAuth.Storage;

namespace McpAuth.Cli.Coordination;

/// <summary>
/// A cross-process lock per (server, profile) under $MCPAUTH_HOME/locks, so several CLI processes (logins, proxies)
/// for one server never run two browser flows at once. The OS releases it when the holder dies. A waiter can ask the
/// holder to give up (<c>login --replace</c>) by creating a ".replace" file next to the lock; the holder notices it
/// through <see cref="Replaced"/>.
/// </summary>
public sealed class LoginLock : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly FileStream _file;
    private readonly string _replacePath;
    private readonly CancellationTokenSource _replaced = new();
    private readonly ITimer _watch;

    private LoginLock(FileStream file, string replacePath, TimeProvider time)
    {
        _file = file;
        _replacePath = replacePath;
        _watch = time.CreateTimer(_ => CheckReplaced(), null, PollInterval, PollInterval);
    }

    /// <summary>Cancelled when another process asked to replace this login.</summary>
    public CancellationToken Replaced => _replaced.Token;

    /// <summary>The lock file for a server and profile.</summary>
    public static string PathFor(string home, Uri server, string profile)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{server.AbsoluteUri}\n{profile}"));
        return Path.Combine(home, "locks", $"login-{Convert.ToHexStringLower(hash.AsSpan(0, 12))}.lock");
    }

    /// <summary>Takes the lock without waiting; null when another process holds it.</summary>
    public static LoginLock? TryAcquire(string lockPath, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var folder = Path.GetDirectoryName(lockPath)!;
        McpAuthHome.EnsurePrivateDirectory(Path.GetDirectoryName(folder)!); // the home first: it may not exist yet, and must be 0700
        McpAuthHome.EnsurePrivateDirectory(folder);
        try
        {
            var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.Delete(lockPath + ".replace");
            file.SetLength(0);
            file.Write(Encoding.UTF8.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
            file.Flush();
            return new LoginLock(file, lockPath + ".replace", time);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock, waiting for the current holder. <paramref name="onWait"/> runs once if there is a holder.
    /// With <paramref name="replace"/>, asks the holder to give up instead of waiting for it to finish.
    /// </summary>
    public static async Task<LoginLock> AcquireAsync(
        string lockPath, bool replace, Action? onWait, TimeProvider time, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            if (TryAcquire(lockPath, time) is { } acquired)
            {
                return acquired;
            }
            if (!waited)
            {
                waited = true;
                onWait?.Invoke();
                if (replace)
                {
                    await File.WriteAllTextAsync(lockPath + ".replace", "", cancellationToken).ConfigureAwait(false);
                }
            }
            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckReplaced()
    {
        if (File.Exists(_replacePath))
        {
            _replaced.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watch.DisposeAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
        _replaced.Dispose();
    }
}
