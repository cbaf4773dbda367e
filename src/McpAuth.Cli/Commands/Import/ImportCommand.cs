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

/// <summary>The <c>import</c> verb: its symbols and its parse step.</summary>
public sealed class ImportCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly SecretInput _accessToken = new("access-token", "the access token", "Access token");
    private readonly SecretInput _refreshToken = new("refresh-token", "the refresh token", "Refresh token");
    private readonly Option<long?> _expiresAt = new("--expires-at")
    {
        Description = "When the access token expires, in Unix seconds",
        HelpName = "unix-seconds",
    };
    private readonly Option<string> _clientId = new("--client-id") { Description = "The client id the tokens were issued to", Required = true, HelpName = "id" };
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
            "AT=... RT=... mcpauth import https://mcp.example.com/mcp --access-token-env AT --refresh-token-env RT --expires-at 1795000000 --client-id my-app")
    {
        Add(_server);
        foreach (var option in _accessToken.Options.Concat(_refreshToken.Options).Concat(_clientSecret.Options)
            .Concat([_expiresAt, _clientId, _tokenEndpoint, _scope, _profile, _json]))
        {
            Add(option);
        }
    }

    public ImportOptions Parse(ParseResult result, CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        SecretInput.CheckAll(result, _accessToken, _refreshToken, _clientSecret);
        var accessToken = _accessToken.Read(result, cli)
            ?? throw new CliException("The access token is required: --access-token - (stdin), --access-token-env VAR or --ask-access-token.");
        var tokenEndpoint = result.GetValue(_tokenEndpoint);
        return new ImportOptions
        {
            Server = CommonOptions.ParseServerUrl(result.GetValue(_server)),
            Profile = CommonOptions.ParseProfile(result.GetValue(_profile)),
            AccessToken = accessToken,
            RefreshToken = _refreshToken.Read(result, cli),
            ExpiresAt = result.GetValue(_expiresAt) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
            ClientId = result.GetValue(_clientId)!,
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
