using System.Globalization;

namespace McpAuth.SecretSweep.Tests;

/// <summary>The outcome of one sweep: what was checked against what, and every leak.</summary>
public sealed record SweepResult(
    IReadOnlyDictionary<string, int> SecretsByKind, int Secrets, IReadOnlyDictionary<string, int> LinesByKind,
    int CaptureFiles, IReadOnlyList<Leak> Leaks)
{
    /// <summary>Captured lines of one kind (log, exception, cli-stderr...).</summary>
    public int Lines(string kind) => LinesByKind.GetValueOrDefault(kind);

    /// <summary>Secrets of one ledger kind.</summary>
    public int SecretsOf(string kind) => SecretsByKind.GetValueOrDefault(kind);

    /// <summary>
    /// One line, e.g. "secret sweep: 1234 secrets (access_token 400, ...) checked against 56789 log lines, 321
    /// exception messages, 210 CLI runs (stderr, and stdout of 180; 30 token stdouts exempt) in 41 capture files: 0 leaks".
    /// </summary>
    public string Summary
    {
        get
        {
            var kinds = string.Join(", ", SecretsByKind.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value}")));
            var torn = Lines("torn") > 0 ? string.Create(CultureInfo.InvariantCulture, $", {Lines("torn")} torn last lines") : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"secret sweep: {Secrets} secrets ({kinds}) checked against {Lines("log")} log lines, {Lines("exception")} exception messages, " +
                $"{Lines("cli-stderr")} CLI runs (stderr, and stdout of {Lines("cli-stdout")}; {Lines("cli-stdout-exempt")} token stdouts exempt){torn} " +
                $"in {CaptureFiles} capture files: {Leaks.Count} leaks");
        }
    }
}

/// <summary>Checks every captured line against every ledger secret.</summary>
public static class Sweep
{
    public static SweepResult Run(SweepInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var scanner = new SecretScanner(input.Secrets);
        var leaks = input.Lines.SelectMany(scanner.Scan).ToList();
        var secretsByKind = input.Secrets.Where(s => s.Key.Length >= SecretScanner.MinimumLength)
            .GroupBy(s => s.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var linesByKind = input.Lines.GroupBy(l => l.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new SweepResult(secretsByKind, scanner.SecretCount, linesByKind, input.CaptureFiles, leaks);
    }
}
