using System.Text;
using McpAuth.Storage;

namespace StoreStress;

/// <summary>
/// Rewrites entries forever with self-checking values ("v{n}:" then bytes that all equal n % 251, sizes varying),
/// so a test can kill it at any instant and then check every entry is whole.
/// </summary>
public static class WriteCommand
{
    public static async Task<int> RunAsync(string home, int seed, int entries)
    {
        var store = StressBinding.OpenStore(home);
        var random = new Random(seed);
        for (var n = 1; ; n++)
        {
            var key = new StoreKey(StoreEntryKind.Registration, "crash-" + random.Next(entries));
            await store.WriteAsync(key, Value(n, 1 + random.Next(200_000)), CancellationToken.None);
            if (n == 1)
            {
                StressBinding.SignalReady(); // warmed up: from now on a kill lands inside the write work
            }
        }
    }

    public static byte[] Value(int n, int size)
    {
        var header = Encoding.ASCII.GetBytes($"v{n}:");
        var value = new byte[header.Length + size];
        header.CopyTo(value, 0);
        value.AsSpan(header.Length).Fill((byte)(n % 251));
        return value;
    }

    /// <summary>True when <paramref name="value"/> is exactly one value written by <see cref="Value"/>.</summary>
    public static bool IsWhole(byte[] value)
    {
        var colon = Array.IndexOf(value, (byte)':');
        if (colon < 2 || value[0] != 'v' || !int.TryParse(value.AsSpan(1, colon - 1), out var n))
        {
            return false;
        }
        return value.Length > colon + 1 && !value.AsSpan(colon + 1).ContainsAnyExcept((byte)(n % 251));
    }
}
