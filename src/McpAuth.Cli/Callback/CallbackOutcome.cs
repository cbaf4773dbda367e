namespace McpAuth.Cli.Callback;

/// <summary>
/// What the browser page after the redirect says. <see cref="Detail"/> may hold server-controlled text; the page
/// HTML-encodes everything.
/// </summary>
/// <param name="Succeeded">True when the login completed.</param>
/// <param name="Title">A short heading.</param>
/// <param name="Detail">One or two sentences; may include the server's <c>error_description</c>.</param>
public sealed record CallbackOutcome(bool Succeeded, string Title, string Detail)
{
    /// <summary>The login completed.</summary>
    public static CallbackOutcome Success(string? detail = null) =>
        new(true, "Logged in", detail ?? "McpAuth received the authorization. You can close this tab and return to the terminal.");

    /// <summary>The login failed; <paramref name="detail"/> says why.</summary>
    public static CallbackOutcome Failure(string detail) => new(false, "Login failed", detail);

    /// <summary>The response arrived but the CLI did not report the final result in time.</summary>
    public static CallbackOutcome Received() =>
        new(true, "Authorization received", "McpAuth received the authorization response. Return to the terminal to see the result.");
}
