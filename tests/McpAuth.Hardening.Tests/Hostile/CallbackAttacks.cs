using McpAuth.Engine;
using McpAuth.Hardening.Tests.Infrastructure;

namespace McpAuth.Hardening.Tests.Hostile;

/// <summary>Attacks on the redirect back to the client (RFC 6749 §10.12, §4.1.2.1; RFC 9207).</summary>
public static class CallbackAttacks
{
    public static IEnumerable<Attack> All()
    {
        yield return new("callback: state of no pending flow", () => Forged((start, cb) => Replace(cb, "state", "forged-state"), McpAuthErrorCode.StateMismatch));
        yield return new("callback: no state at all", () => Forged((start, cb) => Remove(cb, "state"), McpAuthErrorCode.StateMismatch));
        yield return new("callback: code parameter repeated", () => Forged((start, cb) => new Uri(cb + "&code=injected"), McpAuthErrorCode.InvalidResponse));
        yield return new("callback: error page with script in error and error_description", ScriptInError);
        yield return new("callback: error carrying another issuer's iss", () => Forged(
            (start, cb) => new Uri($"{start.RedirectUri}?error=access_denied&state={Uri.EscapeDataString(start.State)}&iss=http%3A%2F%2F127.0.0.1%3A1"),
            McpAuthErrorCode.AuthorizationResponseIssuerMismatch));
        yield return new("callback: replayed after the flow completed", Replayed);
        yield return new("callback: a second callback for the same flow with another code", SecondCallback);
        yield return new("callback: arrives after the flow expired", Expired);
    }

    /// <summary>Begins a flow, fetches the real callback, lets <paramref name="forge"/> change it, completes with the forgery.</summary>
    private static async Task<string?> Forged(Func<AuthorizationStart, Uri, Uri> forge, McpAuthErrorCode expected)
    {
        await using var world = await World.StartAsync();
        using var rig = new ClientRig();
        var start = await rig.Client.BeginAuthorizationAsync(world.Mcp.Url, CancellationToken.None);
        var callback = await rig.Interaction.AuthorizeAsync(start.AuthorizationUrl, start.RedirectUri, CancellationToken.None);
        var forged = forge(start, callback);
        return Verdict.All(
            await Verdict.Throws(expected, () => rig.Client.CompleteAuthorizationAsync(forged, CancellationToken.None)),
            Verdict.Untouched(world.As.Server, "/token"));
    }

    private static async Task<string?> ScriptInError()
    {
        await using var world = await World.StartAsync();
        using var rig = new ClientRig();
        var start = await rig.Client.BeginAuthorizationAsync(world.Mcp.Url, CancellationToken.None);
        const string script = "<script>alert(1)</script>";
        var callback = new Uri($"{start.RedirectUri}?error={Uri.EscapeDataString(script)}&error_description={Uri.EscapeDataString("<img src=x onerror=alert(2)>")}"
            + $"&state={Uri.EscapeDataString(start.State)}&iss={Uri.EscapeDataString(world.As.Issuer)}");
        try
        {
            await rig.Client.CompleteAuthorizationAsync(callback, CancellationToken.None);
            return "no error";
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.AuthorizationDenied)
        {
            var text = e.Message + e + string.Join("\n", rig.Logs.Lines);
            return Verdict.All(
                Verdict.That(e.OAuthError == script, "the server's error is not kept in the property"),
                Verdict.That(!text.Contains("<script", StringComparison.OrdinalIgnoreCase) && !text.Contains("<img", StringComparison.OrdinalIgnoreCase), "markup from the server reached a message, ToString or a log line"),
                Verdict.Untouched(world.As.Server, "/token"));
        }
    }

    private static async Task<string?> Replayed()
    {
        await using var world = await World.StartAsync();
        using var rig = new ClientRig();
        await rig.AuthorizeAsync(world.Mcp.Url);
        var callback = rig.Interaction.Callbacks.Single();
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.StateMismatch, () => rig.Client.CompleteAuthorizationAsync(callback, CancellationToken.None)),
            Verdict.That(world.As.Server.To("/token").Count == 1, "the code was redeemed twice"));
    }

    private static async Task<string?> SecondCallback()
    {
        await using var world = await World.StartAsync();
        using var rig = new ClientRig();
        var start = await rig.Client.BeginAuthorizationAsync(world.Mcp.Url, CancellationToken.None);
        var callback = await rig.Interaction.AuthorizeAsync(start.AuthorizationUrl, start.RedirectUri, CancellationToken.None);
        await rig.Client.CompleteAuthorizationAsync(callback, CancellationToken.None);
        var second = Replace(callback, "code", "attacker-code");
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.StateMismatch, () => rig.Client.CompleteAuthorizationAsync(second, CancellationToken.None)),
            Verdict.That(!world.As.Server.Saw("attacker-code"), "the attacker's code was redeemed"));
    }

    private static async Task<string?> Expired()
    {
        await using var world = await World.StartAsync();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow); // the world's servers run on the real clock
        using var rig = new ClientRig(time: time);
        var start = await rig.Client.BeginAuthorizationAsync(world.Mcp.Url, CancellationToken.None);
        var callback = await rig.Interaction.AuthorizeAsync(start.AuthorizationUrl, start.RedirectUri, CancellationToken.None);
        time.Advance(rig.Options.Authorization.PendingFlowLifetime + TimeSpan.FromSeconds(1));
        return Verdict.All(
            await Verdict.Throws(McpAuthErrorCode.FlowExpired, () => rig.Client.CompleteAuthorizationAsync(callback, CancellationToken.None)),
            Verdict.Untouched(world.As.Server, "/token"));
    }

    private static Uri Replace(Uri callback, string name, string value) =>
        new(Remove(callback, name) + $"&{name}={Uri.EscapeDataString(value)}");

    private static Uri Remove(Uri callback, string name)
    {
        var kept = callback.Query.TrimStart('?').Split('&').Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal));
        return new Uri(callback.GetLeftPart(UriPartial.Path) + "?" + string.Join("&", kept));
    }
}
