using System.Text.Json;

namespace McpAuth.SecretSweep.Tests;

/// <summary>One thing McpAuth said, as a test process recorded it (tests/McpAuth.IntegrationTests/Fixtures/SuiteCapture.cs).</summary>
/// <param name="Kind">log, exception, cli-stdout, cli-stderr, cli-stdout-exempt (a token printed by design: not checked),
/// or torn (the unreadable last line of a process killed while writing, checked as text).</param>
/// <param name="Source">The logger category, the throwing type or the command line: a label, not checked.</param>
/// <param name="Text">What was said.</param>
public sealed record CaptureLine(string Kind, string Source, string Text)
{
    /// <summary>The capture file it came from.</summary>
    public string File { get; init; } = "";

    /// <summary>True when the sweep checks <see cref="Text"/>.</summary>
    public bool IsChecked => Kind != "cli-stdout-exempt";
}

/// <summary>
/// What one sweep reads from artifacts/test-results/secret-sweep: <c>ledger/*.jsonl</c>, the secrets the authorization
/// servers issued or received (<c>{"kind", "value"}</c>, tests/js/oidc-secret-ledger.mjs), and <c>capture/*.jsonl</c>,
/// one file per test process.
/// </summary>
public sealed class SweepInput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every distinct secret value and the kind it was first recorded as.</summary>
    public required IReadOnlyDictionary<string, string> Secrets { get; init; }

    /// <summary>Every captured line, checked or exempt.</summary>
    public required IReadOnlyList<CaptureLine> Lines { get; init; }

    public int LedgerFiles { get; init; }

    public int CaptureFiles { get; init; }

    /// <summary>Reads a sweep folder; throws with a clear message when it holds no ledger or no capture.</summary>
    public static SweepInput Load(string directory)
    {
        var ledgerFiles = Files(directory, "ledger");
        var captureFiles = Files(directory, "capture");
        if (ledgerFiles.Length == 0 || captureFiles.Length == 0)
        {
            throw new InvalidOperationException(
                $"The secret sweep found {ledgerFiles.Length} ledger files and {captureFiles.Length} capture files under {directory}: " +
                "run it after the other test projects (scripts/test does), never alone.");
        }
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in ledgerFiles.SelectMany(file => Read(file, text => JsonSerializer.Deserialize<LedgerEntry>(text, Json))))
        {
            secrets.TryAdd(entry.Value, entry.Kind);
        }
        var lines = captureFiles.SelectMany(file => Read(file, text => JsonSerializer.Deserialize<CaptureLine>(text, Json), torn => new CaptureLine("torn", "", torn))
            .Select(line => line with { File = Path.GetFileName(file) })).ToList();
        return new SweepInput { Secrets = secrets, Lines = lines, LedgerFiles = ledgerFiles.Length, CaptureFiles = captureFiles.Length };
    }

    private static string[] Files(string directory, string name)
    {
        var folder = Path.Combine(directory, name);
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.jsonl") : [];
    }

    /// <summary>
    /// The records of a JSON-lines file. A last line cut short (its process was killed while writing) becomes
    /// <paramref name="torn"/>'s record, so its text is still checked; a bad line elsewhere fails the sweep.
    /// </summary>
    private static IEnumerable<T> Read<T>(string path, Func<string, T?> parse, Func<string, T>? torn = null)
    {
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            T? record;
            try
            {
                record = parse(lines[i]);
            }
            catch (JsonException) when (torn is not null && i == lines.Length - 1)
            {
                record = torn(lines[i]);
            }
            yield return record ?? throw new InvalidDataException($"{path}:{i + 1}: a null record");
        }
    }

    private sealed record LedgerEntry(string Kind, string Value);
}
