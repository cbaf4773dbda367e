using System.CommandLine;

namespace McpAuth.Cli.Commands.Status;

/// <summary>What <c>mcpauth status</c> was asked to show.</summary>
/// <param name="Server">Only this server; null for all.</param>
/// <param name="Profile">Only this profile; null for all.</param>
public sealed record StatusOptions(Uri? Server, string? Profile, bool ShowToken, bool Json);

/// <summary>The <c>status</c> verb: its symbols and its parse step.</summary>
public sealed class StatusCommand : VerbCommand
{
    private readonly Argument<string?> _server = CommonOptions.OptionalServerUrl();
    private readonly Option<string?> _profile = new("--profile", "-p") { Description = "Only this profile", HelpName = "name" };
    private readonly Option<bool> _showToken = new("--show-token") { Description = "Show tokens instead of masking them" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public StatusCommand()
        : base("status", "Show stored credentials: server, profile, issuer, client, scopes, state, expiry, storage. Exit 1 if any needs attention",
            "mcpauth status",
            "mcpauth status https://mcp.example.com/mcp --json")
    {
        Add(_server);
        Add(_profile);
        Add(_showToken);
        Add(_json);
    }

    public StatusOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var server = result.GetValue(_server);
        var profile = result.GetValue(_profile);
        return new StatusOptions(
            server is null ? null : CommonOptions.ParseServerUrl(server),
            profile is null ? null : CommonOptions.ParseProfile(profile),
            result.GetValue(_showToken),
            result.GetValue(_json));
    }
}
