using System.Diagnostics;
using System.Globalization;
using McpAuth.Sandbox;

namespace McpAuth.Comparison;

/// <summary>
/// Diagnostics for line 1: where a cold login's time goes, step by step, on both sides. Each HTTP request's send and
/// response are stamped where the request leaves for the socket (under both sides' whole handler chains), and the
/// median of each gap between stamps is printed per side over <c>samples</c> alternating logins, with the median
/// client's own time (wall minus the token endpoint's wait) and allocation. The gaps between a response and the next
/// request are each client's own work. Not the comparison table: the stamps cost both sides a little.
/// </summary>
internal static class Timeline
{
    public static async Task<int> RunAsync(int samples)
    {
        await using var sandbox = await Sandbox.Sandbox.StartAsync(new SandboxOptions
        {
            AuthorizationServer = new() { TokenLatency = TimeSpan.FromMilliseconds(100) },
        });
        var root = Directory.CreateTempSubdirectory("mcpauth-timeline-").FullName;
        Clients.Transport = () => new Stamp { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } };
        try
        {
            Task<SessionTime> Session(string side, string name) => side == "sdk"
                ? Clients.SdkSessionAsync(Path.Combine(root, name + ".json"), sandbox.McpServerUrl)
                : Clients.McpAuthSessionAsync(Path.Combine(root, name), sandbox.McpServerUrl);
            for (var warm = 0; warm < 3; warm++)
            {
                await Session("mcpauth", $"warm-{warm}");
                await Session("sdk", $"warm-{warm}");
            }
            var gaps = new Dictionary<string, SortedDictionary<string, List<double>>> { ["mcpauth"] = [], ["sdk"] = [] };
            for (var sample = 0; sample < samples; sample++)
            {
                foreach (var side in sample % 2 == 0 ? new[] { "mcpauth", "sdk" } : ["sdk", "mcpauth"])
                {
                    GC.Collect();
                    await Task.Delay(200);
                    Stamp.Clear();
                    var allocated = GC.GetTotalAllocatedBytes(precise: true);
                    Stamp.Mark("start");
                    var time = await Session(side, $"{side}-{sample}");
                    Stamp.Mark("end");
                    Add(gaps[side], " own time (wall minus token wait), ms", time.WallMs - time.TokenWaitMs);
                    Add(gaps[side], " allocated, KB", (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0);
                    var stamps = Stamp.Taken();
                    for (var i = 1; i < stamps.Count; i++)
                    {
                        Add(gaps[side], $"{i:D2} {stamps[i - 1].What} -> {stamps[i].What}", Stopwatch.GetElapsedTime(stamps[i - 1].At, stamps[i].At).TotalMilliseconds);
                    }
                }
            }
            foreach (var (side, steps) in gaps)
            {
                Console.WriteLine($"## {side}: median over {samples} cold logins (steps seen in fewer than half the logins are left out)");
                foreach (var (step, values) in steps.Where(s => s.Value.Count * 2 >= samples))
                {
                    values.Sort();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{values[values.Count / 2],10:F3}  {step}"));
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Add(SortedDictionary<string, List<double>> steps, string step, double value)
    {
        if (!steps.TryGetValue(step, out var values))
        {
            steps[step] = values = [];
        }
        values.Add(value);
    }

    /// <summary>Stamps each request as it leaves for the socket and as its response comes back.</summary>
    private sealed class Stamp : DelegatingHandler
    {
        private static readonly List<(long At, string What)> Stamps = [];

        public static void Mark(string what)
        {
            lock (Stamps)
            {
                Stamps.Add((Stopwatch.GetTimestamp(), what));
            }
        }

        public static void Clear()
        {
            lock (Stamps)
            {
                Stamps.Clear();
            }
        }

        public static List<(long At, string What)> Taken()
        {
            lock (Stamps)
            {
                return [.. Stamps];
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var name = $"{request.Method} {request.RequestUri!.AbsolutePath}";
            Mark("send " + name);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Mark($"response {(int)response.StatusCode} to {name}");
            return response;
        }
    }
}
