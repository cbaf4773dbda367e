using System.CommandLine;
using System.Text.RegularExpressions;
using McpAuth.Cli.Commands.Login;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>Which MCP HTTP transport the proxy speaks to the remote server.</summary>
public enum ProxyTransport
{
    /// <summary>Streamable HTTP; the 2024-11-05 HTTP+SSE transport when the server refuses it (mcp-remote's default).</summary>
    HttpFirst,

    /// <summary>HTTP+SSE; Streamable HTTP when the server refuses it.</summary>
    SseFirst,

    /// <summary>Streamable HTTP only.</summary>
    HttpOnly,

    /// <summary>The 2024-11-05 HTTP+SSE transport only.</summary>
    SseOnly,
}

/// <summary>What <c>mcpauth proxy</c> was asked to do.</summary>
/// <param name="Headers">Extra headers sent on every request to the remote server (never Authorization), <c>${VAR}</c> expanded.</param>
/// <param name="Login">How to log in when the server asks for authorization (the options of <c>mcpauth login</c>).</param>
public sealed record ProxyOptions(
    Uri Server, string Profile, IReadOnlyList<KeyValuePair<string, string>> Headers, ProxyTransport Transport, LoginOptions Login);

/// <summary>The <c>proxy</c> verb: its symbols and its parse step.</summary>
public sealed partial class ProxyCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly Option<string[]> _header = new("--header", "-H")
    {
        Description = "Extra header for the remote server, as 'Name: value' (repeatable); ${VAR} is replaced by the environment variable VAR",
        HelpName = "header",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string> _transport = new("--transport")
    {
        Description = "http-first (Streamable HTTP, then HTTP+SSE), sse-first, http-only or sse-only",
        DefaultValueFactory = _ => "http-first",
        HelpName = "mode",
    };
    private readonly LoginSymbols _login = new();

    public ProxyCommand()
        : base("proxy", "Run a stdio MCP server that forwards to a remote MCP server (Streamable HTTP or HTTP+SSE), logging in when it asks",
            "mcpauth proxy https://mcp.example.com/mcp",
            "mcpauth proxy https://mcp.example.com/mcp --header 'X-Tenant: acme' --header 'X-Api-Key: ${API_KEY}'",
            "mcpauth proxy https://legacy.example.com/sse --transport sse-only")
    {
        Add(_server);
        Add(_profile);
        Add(_header);
        Add(_transport);
        foreach (var option in _login.All)
        {
            Add(option);
        }
    }

    /// <exception cref="CliException">A value is invalid; the message names the option.</exception>
    public ProxyOptions Parse(ParseResult result, CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        var server = CommonOptions.ParseServerUrl(result.GetValue(_server));
        var profile = CommonOptions.ParseProfile(result.GetValue(_profile));
        var headers = (result.GetValue(_header) ?? []).Select(h => ParseHeader(h, cli.Environment)).ToList();
        var login = _login.Parse(result, cli, server, profile);
        return new ProxyOptions(server, profile, headers, ParseTransport(result.GetValue(_transport)), login);
    }

    public static ProxyTransport ParseTransport(string? value) => value switch
    {
        "http-first" => ProxyTransport.HttpFirst,
        "sse-first" => ProxyTransport.SseFirst,
        "http-only" => ProxyTransport.HttpOnly,
        "sse-only" => ProxyTransport.SseOnly,
        _ => throw new CliException($"--transport must be http-first, sse-first, http-only or sse-only, not '{value}'."),
    };

    /// <summary>Parses "Name: value" without expanding variables. Authorization is refused: McpAuth owns it.</summary>
    public static KeyValuePair<string, string> ParseHeader(string header) => ParseHeader(header, _ => null, expand: false);

    /// <summary>
    /// Parses "Name: value" and replaces each <c>${VAR}</c> in the value by the environment variable VAR (as mcp-remote
    /// does: the way to pass a secret header without putting it in a configuration file). An unset variable is an
    /// error naming it; its value is never printed.
    /// </summary>
    public static KeyValuePair<string, string> ParseHeader(string header, Func<string, string?> environment) =>
        ParseHeader(header, environment, expand: true);

    private static KeyValuePair<string, string> ParseHeader(string header, Func<string, string?> environment, bool expand)
    {
        ArgumentNullException.ThrowIfNull(header);
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        var name = colon > 0 ? header[..colon].Trim() : "";
        if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c)) || header.Any(c => c is '\r' or '\n'))
        {
            throw new CliException($"--header expects 'Name: value', not '{(colon > 0 ? name + ": ..." : header)}'.");
        }
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException("--header cannot set Authorization: McpAuth attaches the credential.");
        }
        var value = header[(colon + 1)..].Trim();
        if (expand)
        {
            value = Variable().Replace(value, m => environment(m.Groups[1].Value) is { } v && !v.Any(c => c is '\r' or '\n')
                ? v
                : throw new CliException($"--header {name}: the environment variable {m.Groups[1].Value} is not set (or holds a line break)."));
        }
        return new(name, value);
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}
