namespace McpAuth.Comparison;

/// <summary>
/// Medians and a percentile bootstrap interval for the ratio of two medians: how far the McpAuth / SDK ratio of one
/// run could move on this machine's noise. Seeded, so the same samples always give the same interval.
/// </summary>
internal static class Stats
{
    private const int Resamples = 4000;

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 2.5th and 97.5th percentiles of median(a*) / median(b*) over resamples of each side with replacement.</summary>
    public static (double Low, double High) RatioOfMediansInterval(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        var random = new Random(20261204);
        var ratios = new double[Resamples];
        var (ra, rb) = (new double[a.Count], new double[b.Count]);
        for (var i = 0; i < Resamples; i++)
        {
            for (var j = 0; j < ra.Length; j++)
            {
                ra[j] = a[random.Next(a.Count)];
            }
            for (var j = 0; j < rb.Length; j++)
            {
                rb[j] = b[random.Next(b.Count)];
            }
            ratios[i] = Median(ra) / Median(rb);
        }
        Array.Sort(ratios);
        return (ratios[(int)(Resamples * 0.025)], ratios[(int)(Resamples * 0.975) - 1]);
    }
}
