using System.Net;
using System.Text.RegularExpressions;

namespace McpAuth.SecretSweep.Tests;

/// <summary>A secret found where it must not be.</summary>
/// <param name="SecretKind">The ledger kind (access_token, code_verifier...) or the sandbox token kind.</param>
/// <param name="Form">How it appeared: as is, percent-encoded, form-encoded, or by the sandbox's token pattern.</param>
/// <param name="Secret">The secret itself (never printed whole).</param>
/// <param name="Line">Where.</param>
public sealed record Leak(string SecretKind, string Form, string Secret, CaptureLine Line)
{
    /// <summary>Where and what, with the secret cut to its first 6 characters and masked in the context.</summary>
    public string Describe()
    {
        var marker = $"[{SecretKind}]";
        var masked = Line.Text.Replace(Secret, marker, StringComparison.Ordinal);
        var start = Math.Max(0, masked.IndexOf(marker, StringComparison.Ordinal) - 80);
        var context = masked.Substring(start, Math.Min(masked.Length - start, marker.Length + 160)).ReplaceLineEndings(" ");
        return $"{SecretKind} {Secret[..6]}... ({Form}) in {Line.Kind} of {Line.Source} ({Line.File}): ...{context}...";
    }
}

/// <summary>
/// Finds every ledger secret (at least <see cref="MinimumLength"/> characters; shorter values are not secrets worth the
/// name) in a text, as is and percent-encoded (either hex case) or form-encoded, plus anything shaped like a token of the in-process sandbox
/// authorization server (<c>sat_</c>, <c>srt_</c>, <c>sac_</c> and 43 base64url characters: 32 random bytes), which
/// keeps no ledger. Exact substring search, indexed by each needle's first <see cref="MinimumLength"/> characters.
/// </summary>
public sealed partial class SecretScanner
{
    /// <summary>Shorter values are ignored.</summary>
    public const int MinimumLength = 8;

    private readonly Dictionary<string, List<Needle>> _byPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Needle>>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <param name="secrets">Secret value to its kind.</param>
    public SecretScanner(IReadOnlyDictionary<string, string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (value, kind) in secrets.Where(s => s.Key.Length >= MinimumLength))
        {
            SecretCount++;
            foreach (var (text, form) in Forms(value).Where(form => added.Add(form.Text)))
            {
                var prefix = text[..MinimumLength];
                if (!_byPrefix.TryGetValue(prefix, out var needles))
                {
                    _byPrefix[prefix] = needles = [];
                }
                needles.Add(new Needle(text, kind, form));
            }
        }
        _lookup = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>How many secrets are searched for (each in up to four forms).</summary>
    public int SecretCount { get; }

    /// <summary>Every secret in <paramref name="line"/>'s text (each once), or none when the line is exempt.</summary>
    public IReadOnlyList<Leak> Scan(CaptureLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.IsChecked)
        {
            return [];
        }
        var leaks = new List<Leak>();
        var text = line.Text.AsSpan();
        for (var i = 0; i + MinimumLength <= text.Length; i++)
        {
            if (!_lookup.TryGetValue(text.Slice(i, MinimumLength), out var needles))
            {
                continue;
            }
            foreach (var needle in needles)
            {
                if (text[i..].StartsWith(needle.Text, StringComparison.Ordinal) && !leaks.Any(l => l.Secret == needle.Text))
                {
                    leaks.Add(new Leak(needle.Kind, needle.Form, needle.Text, line));
                }
            }
        }
        foreach (Match match in SandboxToken().Matches(line.Text))
        {
            if (!leaks.Any(l => l.Secret == match.Value))
            {
                leaks.Add(new Leak($"sandbox {match.Groups["kind"].Value}_ token", "sandbox token pattern", match.Value, line));
            }
        }
        return leaks;
    }

    private static IEnumerable<(string Text, string Form)> Forms(string secret) =>
    [
        (secret, "as is"),
        (Uri.EscapeDataString(secret), "percent-encoded"),
        (PercentHex().Replace(Uri.EscapeDataString(secret), hex => hex.Value.ToLowerInvariant()), "percent-encoded, lower-case hex"),
        (WebUtility.UrlEncode(secret), "form-encoded"),
    ];

    [GeneratedRegex("%[0-9A-F]{2}")]
    private static partial Regex PercentHex();

    /// <summary>The sandbox's codes and tokens (src/McpAuth.Sandbox TokenTable: prefix + base64url of 32 random bytes).</summary>
    [GeneratedRegex("(?<kind>sat|srt|sac)_[A-Za-z0-9_-]{43}")]
    private static partial Regex SandboxToken();

    private sealed record Needle(string Text, string Kind, string Form);
}
