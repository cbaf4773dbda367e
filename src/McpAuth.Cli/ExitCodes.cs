namespace McpAuth.Cli;

/// <summary>
/// The documented process exit codes (the gh convention). Scripts rely on them: never renumber.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command failed, or (status) a credential needs attention.</summary>
    public const int Error = 1;

    /// <summary>The user cancelled (Ctrl-C) or the wait timed out before anything happened.</summary>
    public const int Cancelled = 2;

    /// <summary>No usable credential: run <c>mcpauth login</c>.</summary>
    public const int LoginNeeded = 4;

    /// <summary>
    /// <c>token</c>, <c>headers</c>: the server accepts only DPoP-bound tokens (RFC 9449), which are useless without a
    /// fresh proof per request; use <c>mcpauth proxy</c> or the library's <c>McpAuthHandler</c>.
    /// </summary>
    public const int DPoPRequired = 5;

    /// <summary>The text shown at the end of every --help.</summary>
    public const string HelpText =
        "Exit codes:\n  0  ok\n  1  error (status: a credential needs attention)\n  2  cancelled\n  4  login needed\n  5  the server requires DPoP-bound tokens (token, headers): use mcpauth proxy";
}
