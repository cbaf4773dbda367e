using System.CommandLine;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>What <c>mcpauth proxy</c> was asked to do.</summary>
/// <param name="Headers">Extra headers sent on every request to the remote server (never Authorization).</param>
public sealed record ProxyOptions(Uri Server, string Profile, IReadOnlyList<KeyValuePair<string, string>> Headers, bool NoBrowser);

/// <summary>The <c>proxy</c> verb: its symbols and its parse step.</summary>
public sealed class ProxyCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly Option<string[]> _header = new("--header", "-H")
    {
        Description = "Extra header for the remote server, as 'Name: value' (repeatable)",
        HelpName = "header",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<bool> _noBrowser = new("--no-browser") { Description = "Never open a browser; print the URL on stderr" };

    public ProxyCommand()
        : base("proxy", "Run a stdio MCP server that forwards to a remote Streamable HTTP MCP server with credentials attached",
            "mcpauth proxy https://mcp.example.com/mcp",
            "mcpauth proxy https://mcp.example.com/mcp --header 'X-Tenant: acme'")
    {
        Add(_server);
        Add(_profile);
        Add(_header);
        Add(_noBrowser);
    }

    public ProxyOptions Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var headers = (result.GetValue(_header) ?? []).Select(ParseHeader).ToList();
        return new ProxyOptions(CommonOptions.ParseServerUrl(result.GetValue(_server)), CommonOptions.ParseProfile(result.GetValue(_profile)),
            headers, result.GetValue(_noBrowser));
    }

    /// <summary>Parses "Name: value". Authorization is refused: McpAuth owns it.</summary>
    public static KeyValuePair<string, string> ParseHeader(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        var name = colon > 0 ? header[..colon].Trim() : "";
        if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c)) || header.Any(c => c is '\r' or '\n'))
        {
            throw new CliException($"--header expects 'Name: value', not '{header}'.");
        }
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException("--header cannot set Authorization: McpAuth attaches the credential.");
        }
        return new(name, header[(colon + 1)..].Trim());
    }
}
