using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Secrets;

/// <summary>Searches every log line and every exception's Message and ToString for every secret a flow used.</summary>
public static class LeakCheck
{
    /// <summary>
    /// Fails when any harvested secret appears in <paramref name="rig"/>'s logs, in <paramref name="errors"/> or in
    /// <paramref name="otherOutput"/>; and when a kind in <paramref name="requiredKinds"/> was never harvested (the flow did
    /// not run as intended, so the check would prove nothing).
    /// </summary>
    public static async Task AssertNoSecretLeakedAsync(
        ClientRig rig, IEnumerable<Exception> errors, IEnumerable<string> requiredKinds, IEnumerable<string>? otherOutput = null)
    {
        await rig.Secrets.AddStoredAsync(rig.Vault);
        rig.Secrets.AddCallbacks(rig.Interaction.Callbacks);
        var kinds = rig.Secrets.Kinds.ToHashSet();
        Assert.All(requiredKinds, kind => Assert.Contains(kind, kinds));
        var texts = rig.Logs.Lines
            .Concat(errors.SelectMany(e => new[] { e.Message, e.ToString() }))
            .Concat(otherOutput ?? [])
            .ToList();
        Assert.True(rig.Logs.Lines.Count >= 5, $"only {rig.Logs.Lines.Count} log lines: is the capture wired?");
        var leaks = (from secret in rig.Secrets.Secrets
                     from text in texts
                     where text.Contains(secret.Key, StringComparison.Ordinal)
                     select $"{secret.Value} in: {text[..Math.Min(text.Length, 300)]}").ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} leak(s) of {rig.Secrets.Secrets.Count} secrets over {texts.Count} texts:\n{string.Join("\n", leaks.Take(10))}");
    }

    /// <summary>Runs <paramref name="act"/> and returns the exception it threw (null when none).</summary>
    public static async Task<Exception?> Catch(Func<Task> act)
    {
        try
        {
            await act();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
