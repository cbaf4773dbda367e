using System.CommandLine;

namespace McpAuth.Cli.Commands.Logout;

/// <summary>What <c>mcpauth logout</c> was asked to do.</summary>
/// <param name="Server">The server to log out of; null with <paramref name="All"/>.</param>
/// <param name="All">Log out of every server (or every profile of <paramref name="Server"/>).</param>
/// <param name="KeepRegistration">Keep the client registration so the next login does not register again.</param>
public sealed record LogoutOptions(Uri? Server, string Profile, bool All, bool KeepRegistration, bool Json);

/// <summary>The <c>logout</c> verb: its symbols and its parse step.</summary>
public sealed class LogoutCommand : VerbCommand
{
    private readonly Argument<string?> _server = CommonOptions.OptionalServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly Option<bool> _all = new("--all") { Description = "Log out of every server (with a server URL: every profile on it)" };
    private readonly Option<bool> _keepRegistration = new("--keep-registration")
    {
        Description = "Keep the client registration so the next login reuses it",
    };
    private readonly Option<bool> _json = CommonOptions.Json();

    public LogoutCommand()
        : base("logout", "Revoke the tokens at the server (RFC 7009) and clear them locally; says what it did",
            "mcpauth logout https://mcp.example.com/mcp",
            "mcpauth logout --all")
    {
        Add(_server);
        Add(_profile);
        Add(_all);
        Add(_keepRegistration);
        Add(_json);
    }

    public LogoutOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var server = result.GetValue(_server);
        var all = result.GetValue(_all);
        if (server is null && !all)
        {
            throw new CliException("Name a server URL, or use --all to log out of every server.");
        }
        return new LogoutOptions(
            server is null ? null : CommonOptions.ParseServerUrl(server),
            CommonOptions.ParseProfile(result.GetValue(_profile)),
            all,
            result.GetValue(_keepRegistration),
            result.GetValue(_json));
    }
}
