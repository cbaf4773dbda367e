namespace McpAuth.Comparison;

/// <summary>
/// Medians, and percentile bootstrap intervals for a median and for the ratio of two medians: how far a McpAuth / SDK
/// ratio of one run could move on this machine's noise. Seeded, so the same samples always give the same interval.
/// </summary>
internal static class Stats
{
    private const int Resamples = 4000;

    /// <summary>The median; NaN when there are no values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 2.5th and 97.5th percentiles of the median of resamples of <paramref name="values"/> with replacement.</summary>
    public static (double Low, double High) MedianInterval(IReadOnlyList<double> values) =>
        Interval(values.Count, random => Median(Resample(values, random)));

    /// <summary>The 2.5th and 97.5th percentiles of median(a*) / median(b*) over resamples of each side with replacement.</summary>
    public static (double Low, double High) RatioOfMediansInterval(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Interval(Math.Min(a.Count, b.Count), random => Median(Resample(a, random)) / Median(Resample(b, random)));

    /// <summary>As many values as <paramref name="values"/> has, drawn from it with replacement.</summary>
    private static double[] Resample(IReadOnlyList<double> values, Random random)
    {
        var resample = new double[values.Count];
        for (var j = 0; j < resample.Length; j++)
        {
            resample[j] = values[random.Next(values.Count)];
        }
        return resample;
    }

    /// <summary>The 95% percentile interval of <paramref name="statistic"/> over seeded resamples; NaN without samples.</summary>
    private static (double Low, double High) Interval(int samples, Func<Random, double> statistic)
    {
        if (samples == 0)
        {
            return (double.NaN, double.NaN);
        }
        var random = new Random(20261204);
        var values = new double[Resamples];
        for (var i = 0; i < Resamples; i++)
        {
            values[i] = statistic(random);
        }
        Array.Sort(values);
        return (values[(int)(Resamples * 0.025)], values[(int)(Resamples * 0.975) - 1]);
    }
}
