namespace McpAuth.Cli.Callback;

/// <summary>Where the loopback redirect listener binds and what its redirect URI looks like (RFC 8252 §7.3).</summary>
public sealed record LoopbackListenerOptions
{
    /// <summary>The host written in the redirect URI: "127.0.0.1" (default), "localhost" or "::1".</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>A port the user configured: used or the start fails; never replaced by another.</summary>
    public int? Port { get; init; }

    /// <summary>The port this registration used last time; tried before a free one so its redirect URI stays valid.</summary>
    public int? PreviousPort { get; init; }

    /// <summary>The path of the redirect URI.</summary>
    public string Path { get; init; } = "/callback";

    /// <summary>How long the browser page waits for the terminal to report the login's result.</summary>
    public TimeSpan OutcomeWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Checks host, port and path; throws <see cref="CliException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (Host is not ("127.0.0.1" or "localhost" or "::1" or "[::1]"))
        {
            throw new CliException($"--callback-host must be a loopback host (127.0.0.1, localhost or ::1), not '{Host}'.");
        }
        if (Port is < 1 or > 65535)
        {
            throw new CliException($"--callback-port must be between 1 and 65535, not {Port}.");
        }
        if (!Path.StartsWith('/') || Path.Contains('?') || Path.Contains('#') || Path == CallbackPage.DonePath)
        {
            throw new CliException($"--callback-path must start with '/' and have no query or fragment, not '{Path}'.");
        }
    }
}
