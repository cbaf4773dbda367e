namespace McpAuth.Engine;

/// <summary>
/// One background thread of McpAuth's own, for store work that blocks on the disk (the file store's fsyncs) and that no
/// caller waits for at once: a login's early writes (<see cref="PendingWrites"/>). A pool thread blocked in fsync for
/// milliseconds is one the application's own work waits for on a small machine (the response to the very token
/// request the writes overlap, when its server shares the process), and a thread made for each login costs about as
/// much to start as the writes take. So the process has one, started at its first use and then idle (blocked, a
/// background thread that never keeps the process alive), as <c>Microsoft.Extensions.Logging.Console</c> has for its
/// blocking console writes. Work runs in the order posted; work that awaits (a database store) goes on from the
/// thread pool at its first await, leaving the thread to the next.
/// </summary>
internal static class StoreThread
{
    private static readonly object Sync = new();
    private static readonly Queue<Action> Work = new();
    private static bool _started;

    /// <summary>Runs <paramref name="work"/> on the thread, after the work posted before it. It must not throw.</summary>
    public static void Post(Action work)
    {
        bool start;
        lock (Sync)
        {
            Work.Enqueue(work);
            start = !_started;
            _started = true;
            Monitor.Pulse(Sync);
        }
        if (start)
        {
            new Thread(Loop) { IsBackground = true, Name = "McpAuth store" }.Start();
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Action work;
            lock (Sync)
            {
                while (Work.Count == 0)
                {
                    Monitor.Wait(Sync);
                }
                work = Work.Dequeue();
            }
            work();
        }
    }
}
