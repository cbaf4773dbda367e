using System.Diagnostics;

namespace McpAuth.PostgreSql.Tests.Gateway;

/// <summary>What every replica process is told: the shared database and the credentials to resolve.</summary>
public sealed record ReplicaSettings(string ConnectionString, string Schema, byte[] Key, string Issuer, string ClientId, int Credentials,
    int Concurrency);

/// <summary>Starts gateway replica processes (this assembly's <see cref="GatewayProgram"/>), starts them together, collects reports.</summary>
public static class ReplicaProcesses
{
    public static async Task<IReadOnlyList<GatewayReport>> RunAsync(ReplicaSettings settings, int replicas)
    {
        var processes = Enumerable.Range(0, replicas).Select(_ => Process.Start(StartInfo(settings))!).ToList();
        try
        {
            foreach (var process in processes)
            {
                var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (ready != "ready")
                {
                    Assert.Fail($"replica said '{ready}': {await process.StandardError.ReadToEndAsync()}");
                }
            }
            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync();
            }
            var outputs = await Task.WhenAll(processes.Select(p => p.StandardOutput.ReadToEndAsync())).WaitAsync(TimeSpan.FromMinutes(5));
            var errors = await Task.WhenAll(processes.Select(p => p.StandardError.ReadToEndAsync()));
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
            // A replica with caller errors still reports (exit code 1); the test asserts on the reports.
            Assert.True(processes.All(p => p.ExitCode is 0 or 1), string.Join('\n', outputs.Concat(errors)));
            return outputs.Select(o => GatewayReplica.Deserialize(o.Trim().Split('\n')[^1])).ToList();
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                process.Dispose();
            }
        }
    }

    /// <summary>Starts a replica that takes the refresh lock of credential <paramref name="id"/>, says "locked" and then hangs.</summary>
    public static Process StartLockHolder(ReplicaSettings settings, string id) => Process.Start(StartInfo(settings, "hold-lock", id))!;

    /// <summary>Starts a replica that takes the refresh lease (60 s) of credential <paramref name="id"/>, says "leased N" and hangs.</summary>
    public static Process StartLeaseHolder(ReplicaSettings settings, string id) => Process.Start(StartInfo(settings, "hold-lease", id))!;

    private static ProcessStartInfo StartInfo(ReplicaSettings settings, params string[] command) =>
        StartInfo(settings, new Dictionary<string, string>(), command.Length == 0 ? ["gateway"] : command);

    /// <summary>
    /// A replica process of this assembly (<c>dotnet exec</c> it with <paramref name="command"/>), told the shared
    /// database and credentials, and <paramref name="environment"/> besides (the fault replicas' refresh timing).
    /// </summary>
    public static ProcessStartInfo StartInfo(ReplicaSettings settings, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                [GatewayProgram.ConnectionVariable] = settings.ConnectionString,
                [GatewayProgram.SchemaVariable] = settings.Schema,
                [GatewayProgram.KeyVariable] = Convert.ToBase64String(settings.Key),
                [GatewayProgram.IssuerVariable] = settings.Issuer,
                [GatewayProgram.ClientIdVariable] = settings.ClientId,
                [GatewayProgram.CountVariable] = $"{settings.Credentials}",
                [GatewayProgram.ConcurrencyVariable] = $"{settings.Concurrency}",
            },
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in new[] { "exec", typeof(GatewayProgram).Assembly.Location }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
