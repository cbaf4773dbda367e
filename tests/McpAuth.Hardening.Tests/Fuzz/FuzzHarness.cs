using System.Diagnostics;
using System.Text;

namespace McpAuth.Hardening.Tests.Fuzz;

/// <summary>What one generated-input run did.</summary>
public sealed record FuzzReport(string Target, int Cases, int Refused, TimeSpan Elapsed, TimeSpan Slowest)
{
    public override string ToString() =>
        $"fuzz {Target}: {Cases} cases ({Refused} refused with McpAuthException, {Cases - Refused} accepted) in {Elapsed.TotalSeconds:F2} s, slowest {Slowest.TotalMilliseconds:F1} ms";
}

/// <summary>
/// Runs a parser over mutated inputs. Seeded and reproducible: case <c>i</c> of target <c>t</c> uses
/// <c>new Random(Seed(t, i))</c> whatever the case count, so a failure names the seed and case to replay
/// (<c>MCPAUTH_FUZZ_SEED</c>, <c>MCPAUTH_FUZZ_CASES</c>). The only exception a case may throw is
/// <see cref="McpAuthException"/>; each case must finish within <see cref="CaseBudget"/> (a hang fails the run).
/// </summary>
public static class FuzzHarness
{
    public const string CasesVariable = "MCPAUTH_FUZZ_CASES";
    public const string SeedVariable = "MCPAUTH_FUZZ_SEED";

    /// <summary>How long one case may take. Generous: the machine is shared; a parsing hang takes forever.</summary>
    public static readonly TimeSpan CaseBudget = TimeSpan.FromSeconds(2);

    /// <summary>The case count: <c>MCPAUTH_FUZZ_CASES</c> when set, else <paramref name="normal"/> (the quick default).</summary>
    public static int Cases(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out var n) && n > 0 ? n : normal;

    public static int BaseSeed =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var s) ? s : 20261122;

    /// <summary>The seed of case <paramref name="index"/> of <paramref name="target"/> (stable across runs and machines).</summary>
    public static int Seed(string target, int index)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode is randomized per process
        foreach (var c in target)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash ^ (uint)BaseSeed) * 31 + index;
    }

    /// <summary>
    /// Runs <paramref name="cases"/> cases: each makes an input with <paramref name="generate"/> and feeds it to
    /// <paramref name="target"/>. Throws with the seed, case number and input when a case breaks the contract.
    /// </summary>
    public static FuzzReport Run<T>(string name, int cases, Func<Random, T> generate, Action<T> target, Func<T, string> show)
    {
        var current = -1;
        var currentStart = 0L;
        var refused = 0;
        var slowest = 0L;
        string? failure = null;
        var clock = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            try
            {
                Cases();
            }
            catch (Exception e)
            {
                failure = $"{name}: the generator failed at case {current}: {e}";
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = $"fuzz {name}" };

        void Cases()
        {
            for (var i = 0; i < cases && failure is null; i++)
            {
                var input = generate(new Random(Seed(name, i)));
                Volatile.Write(ref currentStart, Stopwatch.GetTimestamp());
                Volatile.Write(ref current, i);
                try
                {
                    target(input);
                }
                catch (McpAuthException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    failure = $"{name}: case {i} (seed {BaseSeed}) threw {e.GetType().Name}: {e.Message}\ninput: {show(input)}\n{e}";
                }
                var took = Stopwatch.GetTimestamp() - Volatile.Read(ref currentStart);
                slowest = Math.Max(slowest, took);
                if (Stopwatch.GetElapsedTime(0, took) > CaseBudget && failure is null)
                {
                    failure = $"{name}: case {i} (seed {BaseSeed}) took {Stopwatch.GetElapsedTime(0, took).TotalSeconds:F1} s\ninput: {show(input)}";
                }
            }
        }

        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(100)))
        {
            var index = Volatile.Read(ref current);
            if (index >= 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref currentStart)) > CaseBudget * 5)
            {
                throw new Xunit.Sdk.XunitException($"{name}: case {index} (seed {BaseSeed}) hangs (over {(CaseBudget * 5).TotalSeconds} s)");
            }
        }
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException(failure);
        }
        return new FuzzReport(name, cases, refused, clock.Elapsed, Stopwatch.GetElapsedTime(0, slowest));
    }

    /// <summary>Shows bytes as text when printable, else as base64, cut to a readable length.</summary>
    public static string Show(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var shown = text.All(c => c >= ' ' || c is '\n' or '\r' or '\t') && !text.Contains('\uFFFD') ? text : "base64:" + Convert.ToBase64String(bytes);
        return shown.Length > 2000 ? shown[..2000] + $"... ({bytes.Length} bytes)" : shown;
    }
}
