using McpAuth.Cli.Coordination;

namespace McpAuth.Cli.Tests.Coordination;

public sealed class LoginLockTests : IDisposable
{
    private readonly TempHome _home = new();
    private static readonly Uri Server = new("https://mcp.example/mcp");

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Only_one_holder_per_server_and_profile()
    {
        var path = LoginLock.PathFor(_home.Path, Server, "default");

        await using (var first = LoginLock.TryAcquire(path, TimeProvider.System))
        {
            Assert.NotNull(first);
            Assert.Null(LoginLock.TryAcquire(path, TimeProvider.System));
            await using var otherProfile = LoginLock.TryAcquire(LoginLock.PathFor(_home.Path, Server, "work"), TimeProvider.System);
            Assert.NotNull(otherProfile);
        }

        await using var again = LoginLock.TryAcquire(path, TimeProvider.System);
        Assert.NotNull(again);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task In_a_new_home_the_lock_and_the_port_memory_create_the_home_and_their_folders_private()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes only; Windows relies on the profile folder's ACL.");
        var home = Path.Combine(_home.Path, "new-home");
        await using (LoginLock.TryAcquire(LoginLock.PathFor(home, Server, "default"), TimeProvider.System))
        {
        }
        var other = Path.Combine(_home.Path, "other-home");
        new CallbackPortMemory(other).Remember(Server, "default", new Uri("http://127.0.0.1:33418/callback"));

        Assert.All([home, Path.Combine(home, "locks"), other, Path.Combine(other, "ports")], folder =>
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder)));
    }

    [Fact]
    public async Task A_waiter_joins_when_the_holder_finishes()
    {
        var path = LoginLock.PathFor(_home.Path, Server, "default");
        var holder = LoginLock.TryAcquire(path, TimeProvider.System)!;
        var waited = false;

        var waiter = LoginLock.AcquireAsync(path, replace: false, () => Volatile.Write(ref waited, true), TimeProvider.System, default);
        await Eventually.UntilAsync(() => Volatile.Read(ref waited), "the waiter to find the lock held");
        Assert.False(waiter.IsCompleted);
        await holder.DisposeAsync();

        await using var acquired = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(waited);
    }

    [Fact]
    public async Task Replace_asks_the_holder_to_give_up()
    {
        var path = LoginLock.PathFor(_home.Path, Server, "default");
        var holder = LoginLock.TryAcquire(path, TimeProvider.System)!;

        var waiter = LoginLock.AcquireAsync(path, replace: true, null, TimeProvider.System, default);
        await Task.Delay(Timeout.Infinite, holder.Replaced).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(10));
        await holder.DisposeAsync();

        await using var acquired = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(acquired.Replaced.IsCancellationRequested);
    }

    [Fact]
    public async Task Waiting_can_be_cancelled()
    {
        var path = LoginLock.PathFor(_home.Path, Server, "default");
        await using var holder = LoginLock.TryAcquire(path, TimeProvider.System)!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => LoginLock.AcquireAsync(path, replace: false, null, TimeProvider.System, cancel.Token));
    }

    [Fact]
    public void Port_memory_round_trips_per_server_and_profile()
    {
        var memory = new CallbackPortMemory(_home.Path);

        Assert.Null(memory.Recall(Server, "default"));
        memory.Remember(Server, "default", new Uri("http://127.0.0.1:43123/callback"));

        Assert.Equal(43123, memory.Recall(Server, "default"));
        Assert.Null(memory.Recall(Server, "work"));
    }
}
