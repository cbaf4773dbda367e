using System.Globalization;

namespace McpAuth.Cli.Output;

/// <summary>Formats an instant relative to now: "in 59 minutes", "3 hours ago", "now".</summary>
public static class RelativeTime
{
    public static string Format(DateTimeOffset instant, DateTimeOffset now)
    {
        var delta = instant - now;
        var magnitude = delta.Duration();
        if (magnitude < TimeSpan.FromSeconds(5))
        {
            return "now";
        }
        var amount = Amount(magnitude);
        return delta > TimeSpan.Zero ? $"in {amount}" : $"{amount} ago";
    }

    private static string Amount(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => Unit((int)span.TotalSeconds, "second"),
        { TotalHours: < 1 } => Unit((int)span.TotalMinutes, "minute"),
        { TotalDays: < 2 } => Unit((int)span.TotalHours, "hour"),
        _ => Unit((int)span.TotalDays, "day"),
    };

    private static string Unit(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
}
