namespace McpAuth.Cli;

/// <summary>
/// The process surroundings a command runs in: stdout for machine values, stderr for prose, stdin, the environment
/// and the clock. Tests build one over string writers; <see cref="FromProcess"/> builds the real one.
/// </summary>
public sealed class CliContext
{
    /// <summary>Machine values only (a token, a URL, JSON, the status table).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Prose: progress, hints, warnings, errors.</summary>
    public required TextWriter Err { get; init; }

    public required TextReader In { get; init; }

    /// <summary>Reads an environment variable (null when unset).</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>True when a person is at a terminal (stdin and stderr not redirected): spinners and prompts allowed.</summary>
    public bool IsInteractive { get; init; }

    /// <summary>True when color may be used on stderr: a terminal, NO_COLOR unset, TERM not "dumb".</summary>
    public bool UseColor { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where McpAuth keeps its store and lock files: $MCPAUTH_HOME, else mcpauth in the per-user config folder.</summary>
    public string Home => ResolveHome(Environment);

    /// <summary>The context of this process.</summary>
    public static CliContext FromProcess()
    {
        var interactive = !Console.IsInputRedirected && !Console.IsErrorRedirected;
        return new CliContext
        {
            Out = new Output.DeferredTextWriter(() => Console.Out),
            Err = new Output.DeferredTextWriter(() => Console.Error),
            In = new Output.DeferredTextReader(() => Console.In),
            Environment = System.Environment.GetEnvironmentVariable,
            IsInteractive = interactive,
            UseColor = AllowsColor(System.Environment.GetEnvironmentVariable, !Console.IsErrorRedirected),
        };
    }

    /// <summary>NO_COLOR (any non-empty value, no-color.org) and TERM=dumb turn color off; so does a redirected stream.</summary>
    public static bool AllowsColor(Func<string, string?> environment, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return isTerminal && string.IsNullOrEmpty(environment("NO_COLOR")) && environment("TERM") != "dumb";
    }

    /// <summary>$MCPAUTH_HOME when set, else "mcpauth" in the per-user configuration folder (the store's rule).</summary>
    public static string ResolveHome(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Storage.McpAuthHome.Resolve(environment);
    }
}
