using System.CommandLine;

namespace McpAuth.Cli.Commands.Token;

/// <summary>What <c>mcpauth token</c> was asked for.</summary>
/// <param name="Server">
/// The server URL as typed. The full parser has validated it; the fast path (<see cref="TokenFastPath"/>) has only
/// checked its shape, and the engine validates it in full unless it is exactly a stored resource.
/// </param>
/// <param name="Profile">The profile.</param>
public sealed record TokenOptions(string Server, string Profile);

/// <summary>
/// A verb that hands out the stored token of one server (<c>token</c>, <c>headers</c>): a server URL and a profile, parsed
/// alike.
/// </summary>
public abstract class TokenVerbCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();

    protected TokenVerbCommand(string name, string description, params string[] examples)
        : base(name, description, examples)
    {
        Add(_server);
        Add(_profile);
    }

    /// <summary>
    /// Why <c>token</c> and <c>headers</c> give nothing for a server that requires DPoP-bound tokens (RFC 9449 §5.2):
    /// such a token is refused unless each request carries a fresh proof signed by the key mcpauth keeps.
    /// </summary>
    public static CliException DPoPRequired() => new(
        "this server requires DPoP-bound tokens (RFC 9449): each request needs a fresh proof signed by a key mcpauth keeps, "
        + "so a bare token would be refused. Use 'mcpauth proxy <server-url>' as the client's stdio server, or McpAuthHandler "
        + "in a .NET application.", ExitCodes.DPoPRequired);

    public TokenOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var server = result.GetValue(_server);
        CommonOptions.ParseServerUrl(server);
        return new TokenOptions(server!, CommonOptions.ParseProfile(result.GetValue(_profile)));
    }
}

/// <summary>The <c>token</c> verb: its symbols and its parse step.</summary>
public sealed class TokenCommand() : TokenVerbCommand("token",
    "Print the access token (refreshed first when needed) and a newline; exit 4 when a login is needed",
    "mcpauth token https://mcp.example.com/mcp",
    "curl -H \"Authorization: Bearer $(mcpauth token https://mcp.example.com/mcp)\" https://mcp.example.com/mcp");
