using System.CommandLine;

namespace McpAuth.Cli.Commands.Import;

/// <summary>What <c>mcpauth import</c> was asked to store. Holds tokens: ToString masks them.</summary>
public sealed record ImportOptions
{
    public required Uri Server { get; init; }
    public required string Profile { get; init; }
    public required string AccessToken { get; init; }
    public string? RefreshToken { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public Uri? TokenEndpoint { get; init; }
    public string? Scope { get; init; }
    public bool Json { get; init; }

    public override string ToString() => $"ImportOptions {{ Server = {Server}, Profile = {Profile}, ClientId = {ClientId} }}";
}

/// <summary>What <c>mcpauth import --from mcp-remote</c> was asked to bring over.</summary>
/// <param name="Servers">The servers named on the command line or by the configuration file (with its entry names).</param>
public sealed record McpRemoteImportOptions(IReadOnlyList<(string Name, McpRemoteServer Server)> Servers, string Profile, string? ConfigFile);

/// <summary>The <c>import</c> verb: its symbols and its parse step.</summary>
public sealed class ImportCommand : VerbCommand
{
    private readonly Argument<string?> _server = new("server-url")
    {
        Description = "The MCP server URL (https, or http on loopback); with --from mcp-remote --config, omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private readonly SecretInput _accessToken = new("access-token", "the access token", "Access token");
    private readonly Option<string?> _from = new("--from")
    {
        Description = "Bring the credential and client registration another tool stored: mcp-remote ($MCP_REMOTE_CONFIG_DIR, else ~/.mcp-auth)",
        HelpName = "tool",
    };
    private readonly Option<string?> _config = new("--config")
    {
        Description = "With --from mcp-remote: a Claude Desktop or Cursor configuration file; every server its mcp-remote lines name",
        HelpName = "file",
    };
    private readonly Option<string[]> _header = new("--header")
    {
        Description = "With --from mcp-remote: a --header given to mcp-remote for this server, as written (it keys mcp-remote's store)",
        HelpName = "header",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string?> _resource = new("--resource")
    {
        Description = "With --from mcp-remote: the --resource given to mcp-remote for this server",
        HelpName = "url",
    };
    private readonly SecretInput _refreshToken = new("refresh-token", "the refresh token", "Refresh token");
    private readonly Option<long?> _expiresAt = new("--expires-at")
    {
        Description = "When the access token expires, in Unix seconds",
        HelpName = "unix-seconds",
    };
    private readonly Option<string?> _clientId = new("--client-id") { Description = "The client id the tokens were issued to", HelpName = "id" };
    private readonly SecretInput _clientSecret = CommonOptions.ClientSecret();
    private readonly Option<string?> _tokenEndpoint = new("--token-endpoint")
    {
        Description = "The token endpoint used to refresh (default: discovered from the server)",
        HelpName = "url",
    };
    private readonly Option<string?> _scope = new("--scope") { Description = "The granted scopes", HelpName = "scopes" };
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly Option<bool> _json = CommonOptions.Json();

    public ImportCommand()
        : base("import", "Store tokens obtained elsewhere, so token, proxy and refresh use them",
            "mcpauth import https://mcp.example.com/mcp --access-token - --client-id my-app < token.txt",
            "AT=... RT=... mcpauth import https://mcp.example.com/mcp --access-token-env AT --refresh-token-env RT --expires-at 1795000000 --client-id my-app",
            "mcpauth import --from mcp-remote https://mcp.example.com/mcp",
            "mcpauth import --from mcp-remote --config ~/.config/Claude/claude_desktop_config.json")
    {
        Add(_server);
        foreach (var option in _accessToken.Options.Concat(_refreshToken.Options).Concat(_clientSecret.Options).Concat(
                 [
                     _expiresAt, _clientId, _tokenEndpoint, _scope, _profile, _json, _from, _config, _header, _resource,
                 ]))
        {
            Add(option);
        }
    }

    /// <summary>True when the command line asks for <c>--from</c> another tool's store.</summary>
    public bool IsFromAnotherTool(ParseResult result) => result?.GetValue(_from) is not null;

    /// <summary>The parse step of <c>--from mcp-remote</c>: a server URL (with its --header and --resource), or --config.</summary>
    public McpRemoteImportOptions ParseFromMcpRemote(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValue(_from) != "mcp-remote")
        {
            throw new CliException($"--from knows mcp-remote only, not '{result.GetValue(_from)}'.");
        }
        if (_accessToken.IsGiven(result) || result.GetValue(_clientId) is not null)
        {
            throw new CliException("--from mcp-remote reads the tokens and client id from mcp-remote's store; drop --access-token and --client-id.");
        }
        var profile = CommonOptions.ParseProfile(result.GetValue(_profile));
        var server = result.GetValue(_server);
        if (result.GetValue(_config) is { } config)
        {
            return server is null
                ? new McpRemoteImportOptions(McpRemoteConfig.Servers(config), profile, config)
                : throw new CliException("Give either a server URL or --config, not both.");
        }
        CommonOptions.ParseServerUrl(server);
        var headers = (result.GetValue(_header) ?? []).Select(h => McpRemoteStore.ParseHeader(h)
            ?? throw new CliException($"--header expects 'Name: value' as mcp-remote reads it, not '{h}'.")).ToList();
        return new McpRemoteImportOptions([(server!, new McpRemoteServer(server!, headers, result.GetValue(_resource)))], profile, null);
    }

    public ImportOptions Parse(ParseResult result, CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        if (result.GetValue(_config) is not null || result.GetValue(_header) is { Length: > 0 } || result.GetValue(_resource) is not null)
        {
            throw new CliException("--config, --header and --resource go with --from mcp-remote.");
        }
        var clientId = result.GetValue(_clientId) ?? throw new CliException("--client-id is required (or --from mcp-remote).");
        SecretInput.CheckAll(result, _accessToken, _refreshToken, _clientSecret);
        var accessToken = _accessToken.Read(result, cli) ?? throw new CliException(
            "The access token is required: --access-token - (stdin), --access-token-env VAR or --ask-access-token (or --from mcp-remote).");
        var tokenEndpoint = result.GetValue(_tokenEndpoint);
        return new ImportOptions
        {
            Server = CommonOptions.ParseServerUrl(result.GetValue(_server)),
            Profile = CommonOptions.ParseProfile(result.GetValue(_profile)),
            AccessToken = accessToken,
            RefreshToken = _refreshToken.Read(result, cli),
            ExpiresAt = result.GetValue(_expiresAt) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
            ClientId = clientId,
            ClientSecret = _clientSecret.Read(result, cli),
            TokenEndpoint = tokenEndpoint is null ? null : ParseEndpoint(tokenEndpoint),
            Scope = result.GetValue(_scope),
            Json = result.GetValue(_json),
        };
    }

    private static Uri ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new CliException("--token-endpoint must be an http or https URL.");
}
