using System.Diagnostics;
using System.Globalization;
using McpAuth.PostgreSql.Tests.Gateway;

namespace McpAuth.PostgreSql.Tests.Faults;

/// <summary>What every fault replica is told, beyond the gateway settings: refresh timing.</summary>
public sealed record FaultTiming(int SkewMs, int LeaseMs, int LockTimeoutMs);

/// <summary>
/// Fault replica processes (<see cref="FaultReplicaProgram"/>) sharing one database: started together, followed through
/// their "state" lines, SIGKILLed (and replaced) on demand, stopped with their reports collected.
/// </summary>
public sealed class FaultFleet(ReplicaSettings settings, FaultTiming timing) : IAsyncDisposable
{
    private readonly List<Replica> _replicas = [];

    /// <summary>Kills that landed while the victim had a refresh sent and unfinished, or a rotated token unsaved.</summary>
    public int KillsWhileRefreshing { get; private set; }

    /// <summary>The credentials the victims were refreshing when killed (a kill can land in several refreshes).</summary>
    public int CredentialsInFlightAtKills { get; private set; }

    /// <summary>Kills of a replica with nothing in flight.</summary>
    public int KillsIdle { get; private set; }

    /// <summary>Reports of replicas that were killed: none (their counts are lost with them).</summary>
    public int Killed => KillsWhileRefreshing + KillsIdle;

    public async Task StartAsync(int replicas)
    {
        var started = Enumerable.Range(0, replicas).Select(_ => StartOneAsync()).ToList();
        _replicas.AddRange(await Task.WhenAll(started));
    }

    /// <summary>SIGKILLs the replica refreshing the most credentials (the first when none is), then starts a replacement.</summary>
    public async Task KillBusiestAsync()
    {
        var victim = _replicas.MaxBy(r => r.Refreshing)!;
        var refreshing = victim.Refreshing;
        victim.Process.Kill(entireProcessTree: true);
        await victim.Process.WaitForExitAsync();
        CredentialsInFlightAtKills += refreshing;
        if (refreshing > 0)
        {
            KillsWhileRefreshing++;
        }
        else
        {
            KillsIdle++;
        }
        _replicas.Remove(victim);
        _ = victim.Report.ContinueWith(t => t.Exception, TaskScheduler.Default); // its report died with it
        victim.Process.Dispose();
        _replicas.Add(await StartOneAsync());
    }

    /// <summary>Tells every replica to stop and returns their reports (each waits, bounded, for its unsaved credentials).</summary>
    public async Task<IReadOnlyList<FaultReplicaReport>> StopAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.Process.StandardInput.WriteLineAsync("stop");
            await replica.Process.StandardInput.FlushAsync();
        }
        var reports = await Task.WhenAll(_replicas.Select(r => r.Report)).WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(_replicas.Select(r => r.Process.WaitForExitAsync()));
        return reports;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            if (!replica.Process.HasExited)
            {
                replica.Process.Kill(entireProcessTree: true);
                await replica.Process.WaitForExitAsync();
            }
            replica.Process.Dispose();
        }
        _replicas.Clear();
    }

    private async Task<Replica> StartOneAsync()
    {
        var process = Process.Start(StartInfo())!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready != "ready")
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"fault replica said '{ready}': {await process.StandardError.ReadToEndAsync()}");
        }
        _ = process.StandardError.ReadToEndAsync(); // drained, so a chatty replica never blocks
        var replica = new Replica(process);
        replica.Report = replica.FollowAsync();
        return replica;
    }

    private ProcessStartInfo StartInfo() => ReplicaProcesses.StartInfo(settings, new Dictionary<string, string>
    {
        [FaultReplicaProgram.SkewVariable] = $"{timing.SkewMs}",
        [FaultReplicaProgram.LeaseVariable] = $"{timing.LeaseMs}",
        [FaultReplicaProgram.LockTimeoutVariable] = $"{timing.LockTimeoutMs}",
    }, "fault-replica");

    private sealed class Replica(Process process)
    {
        private int _refreshing;

        public Process Process { get; } = process;

        public int Refreshing => Volatile.Read(ref _refreshing);

        public Task<FaultReplicaReport> Report { get; set; } = null!;

        public async Task<FaultReplicaReport> FollowAsync()
        {
            while (await Process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("state ", StringComparison.Ordinal))
                {
                    Volatile.Write(ref _refreshing, int.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("report ", StringComparison.Ordinal))
                {
                    return FaultReplica.Deserialize(line[7..]);
                }
            }
            throw new InvalidOperationException("the replica ended without a report");
        }
    }
}
