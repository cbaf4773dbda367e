using McpAuth.Cli.Engine;
using McpAuth.Cli.Output;

namespace McpAuth.Cli.Commands.Status;

/// <summary>
/// The run step of <c>mcpauth status</c>: a table (or --json) of stored credentials; exit 1 when any needs attention.
/// </summary>
public sealed class StatusRunner(CliContext cli, Func<ICliEngine> engine)
{
    public async Task<int> RunAsync(StatusOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var core = engine();
        var (all, unreadable) = await core.ListAsync(cancellationToken).ConfigureAwait(false);
        var now = cli.Time.GetUtcNow();
        var server = options.Server?.AbsoluteUri;
        var shown = all
            .Where(c => server is null || SameServer(c.Server, server))
            .Where(c => options.Profile is null || c.Profile == options.Profile)
            .OrderBy(c => c.Server, StringComparer.Ordinal).ThenBy(c => c.Profile, StringComparer.Ordinal)
            .ToList();
        var attention = unreadable > 0 || shown.Any(c => c.NeedsAttention(now));
        if (options.Json)
        {
            var rows = shown.Select(c => CredentialJson.From(c, core.Storage, now, options.ShowToken)).ToList();
            await CliJsonContext.WriteAsync(cli, new StatusJson(rows, unreadable, attention), CliJsonContext.Default.StatusJson)
                .ConfigureAwait(false);
        }
        else
        {
            await WriteTableAsync(shown, core.Storage, now, options.ShowToken).ConfigureAwait(false);
            await WriteNotesAsync(shown, unreadable, now).ConfigureAwait(false);
        }
        return attention ? ExitCodes.Error : ExitCodes.Ok;
    }

    private static bool SameServer(string stored, string asked) =>
        string.Equals(stored.TrimEnd('/'), asked.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private async Task WriteTableAsync(List<CredentialView> shown, StorageInfo storage, DateTimeOffset now, bool showToken)
    {
        if (shown.Count == 0)
        {
            var where = storage.Location is null ? "" : $" in {storage.Backend} at {storage.Location}";
            await cli.Err.WriteLineAsync($"No credentials stored{where}. Run: mcpauth login <server-url>").ConfigureAwait(false);
            return;
        }
        var location = storage.Location is null ? "" : $" at {storage.Location}";
        var storageText = $"{storage.Backend}{location} (key: {storage.KeyProtection}{(storage.KeyInSecretStore ? ", OS secret store" : ", not in OS secret store")})";
        var rows = new List<string[]> { new[] { "SERVER", "PROFILE", "ISSUER", "CLIENT", "SCOPES", "STATE", "EXPIRES", "TOKEN" } };
        rows.AddRange(shown.Select(c => new[]
        {
            c.Server, c.Profile, c.Issuer, c.ClientId, string.IsNullOrEmpty(c.Scope) ? "-" : c.Scope, StateText(c, now),
            c.ExpiresAt is { } e ? RelativeTime.Format(e, now) : "never", (showToken ? c.AccessToken : TokenMask.Mask(c.AccessToken)) + (c.DPoPBound ? " (DPoP-bound)" : ""),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            await cli.Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).ConfigureAwait(false);
        }
        await cli.Out.WriteLineAsync($"Storage: {storageText}").ConfigureAwait(false);
        foreach (var c in shown.Where(c => !c.Settings.IsEmpty))
        {
            var flags = c.Settings.Describe().Select(s => s.Value == "yes" ? s.Flag : $"{s.Flag} {s.Value}");
            await cli.Out.WriteLineAsync($"Login settings for {c.Server} ({c.Profile}): {string.Join(", ", flags)}").ConfigureAwait(false);
        }
    }

    private static string StateText(CredentialView c, DateTimeOffset now) =>
        c.NeedsAttention(now) ? "needs-login" : c.ExpiresAt is { } e && e <= now ? "expired (refreshable)" : c.State switch
        {
            Storage.CredentialState.Valid => "valid",
            Storage.CredentialState.Expiring => "expiring",
            Storage.CredentialState.Refreshing => "refreshing",
            _ => c.State.ToString(),
        };

    private async Task WriteNotesAsync(List<CredentialView> shown, int unreadable, DateTimeOffset now)
    {
        foreach (var c in shown.Where(c => c.NeedsAttention(now)))
        {
            await cli.Err.WriteLineAsync(cli.Yellow($"{c.Server} ({c.Profile}) needs a login: mcpauth login {c.Server} --profile {c.Profile}"))
                .ConfigureAwait(false);
        }
        if (unreadable > 0)
        {
            await cli.Err.WriteLineAsync(cli.Red($"{unreadable} stored entr{(unreadable == 1 ? "y" : "ies")} could not be read (corrupt or wrong key)."))
                .ConfigureAwait(false);
        }
    }
}
