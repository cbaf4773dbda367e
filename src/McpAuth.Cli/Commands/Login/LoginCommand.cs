using System.CommandLine;
using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Commands.Login;

/// <summary>The <c>login</c> verb: its symbols and its parse step.</summary>
public sealed class LoginCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly Option<string?> _clientId = new("--client-id") { Description = "Use this pre-registered client id", HelpName = "id" };
    private readonly SecretInput _clientSecret = CommonOptions.ClientSecret();
    private readonly Option<string?> _clientMetadataUrl = new("--client-metadata-url")
    {
        Description = "Identify the client by this client ID metadata document URL (https)",
        HelpName = "url",
    };
    private readonly Option<string?> _scope = new("--scope") { Description = "Space-separated scopes to request", HelpName = "scopes" };
    private readonly Option<string> _callbackHost = new("--callback-host")
    {
        Description = "Loopback host in the redirect URI: 127.0.0.1, localhost or ::1",
        DefaultValueFactory = _ => "127.0.0.1",
        HelpName = "host",
    };
    private readonly Option<int?> _callbackPort = new("--callback-port")
    {
        Description = "Port for the redirect listener (default: the port this registration used last time, else a free one)",
        HelpName = "port",
    };
    private readonly Option<string> _callbackPath = new("--callback-path")
    {
        Description = "Path of the redirect URI",
        DefaultValueFactory = _ => "/callback",
        HelpName = "path",
    };
    private readonly Option<bool> _noBrowser = new("--no-browser")
    {
        Description = "Print the authorization URL and wait; on a remote machine, paste the redirect URL at the prompt",
    };
    private readonly Option<bool> _device = new("--device") { Description = "Use the device authorization grant (RFC 8628)" };
    private readonly Option<bool> _replace = new("--replace")
    {
        Description = "Cancel a login already in progress for this server and profile instead of joining it",
    };
    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "Seconds to wait for the authorization before giving up",
        DefaultValueFactory = _ => 300,
        HelpName = "seconds",
    };
    private readonly Option<bool> _json = CommonOptions.Json();
    private readonly ProviderFlags _provider = new();

    public LoginCommand()
        : base("login", "Log in to an MCP server: discover, register or reuse a registration, authorize, store the credential",
            "mcpauth login https://mcp.example.com/mcp",
            "mcpauth login https://mcp.example.com/mcp --client-id my-app --callback-port 8765",
            "mcpauth login https://mcp.example.com/mcp --no-browser",
            "MY_SECRET=... mcpauth login https://mcp.example.com/mcp --client-id my-app --client-secret-env MY_SECRET",
            "mcpauth login https://mcp.example.com/mcp --client-id my-app --no-resource --assume-pkce   # Microsoft Entra ID",
            "mcpauth login https://mcp.example.com/mcp --authorize-param access_type=offline --authorize-param prompt=consent   # Google")
    {
        Add(_server);
        foreach (var option in _clientSecret.Options.Concat(
                 [
                     _profile, _clientId, _clientMetadataUrl, _scope, _callbackHost, _callbackPort, _callbackPath, _noBrowser, _device, _replace,
                     _timeout, _json,
                 ]).Concat(_provider.Options))
        {
            Add(option);
        }
    }

    /// <summary>The parse step: command line and environment to validated options. Prompts only when asked.</summary>
    /// <exception cref="CliException">A value is invalid; the message names the option.</exception>
    public LoginOptions Parse(ParseResult result, CliContext cli, Func<string?>? promptSecret = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cli);
        SecretInput.CheckAll(result, _clientSecret, _provider.RegistrationToken);
        var secret = _clientSecret.Read(result, cli, promptSecret);
        var clientId = result.GetValue(_clientId);
        if (secret is not null && clientId is null)
        {
            throw new CliException("A client secret needs --client-id.");
        }
        var timeout = result.GetValue(_timeout);
        if (timeout < 1)
        {
            throw new CliException("--timeout must be at least 1 second.");
        }
        var (settings, registrationToken, newRegistration, key) = _provider.Parse(result, cli, clientId, secret is not null, promptSecret);
        var options = new LoginOptions
        {
            Server = CommonOptions.ParseServerUrl(result.GetValue(_server)),
            Profile = CommonOptions.ParseProfile(result.GetValue(_profile)),
            ClientId = clientId,
            ClientSecret = secret,
            ClientMetadataUrl = ParseMetadataUrl(result.GetValue(_clientMetadataUrl)),
            Scope = result.GetValue(_scope),
            Callback = new LoopbackListenerOptions
            {
                Host = result.GetValue(_callbackHost)!,
                Port = result.GetValue(_callbackPort),
                Path = result.GetValue(_callbackPath)!,
            },
            NoBrowser = result.GetValue(_noBrowser),
            Device = result.GetValue(_device),
            Replace = result.GetValue(_replace),
            Timeout = TimeSpan.FromSeconds(timeout),
            Json = result.GetValue(_json),
            Settings = settings,
            RegistrationToken = registrationToken,
            NewRegistration = newRegistration,
            ClientKey = key,
        };
        options.Callback.Validate();
        return options;
    }

    private static Uri? ParseMetadataUrl(string? value)
    {
        if (value is null)
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps && url.AbsolutePath != "/"
            ? url
            : throw new CliException("--client-metadata-url must be an https URL with a path (a client ID metadata document).");
    }
}
