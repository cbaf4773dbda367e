using System.CommandLine;
using McpAuth.Cli.Callback;

namespace McpAuth.Cli.Commands.Login;

/// <summary>
/// The options of a login, defined once: <c>login</c> takes them, and so does <c>proxy</c>, which may have to log in.
/// </summary>
public sealed class LoginSymbols
{
    public Option<string?> ClientId { get; } = new("--client-id") { Description = "Use this pre-registered client id", HelpName = "id" };
    /// <summary>The client secret: <c>--client-secret-env VAR</c>, <c>--client-secret -</c> or <c>--ask-client-secret</c>, never a plain argument.</summary>
    public SecretInput ClientSecret { get; } = CommonOptions.ClientSecret();
    public Option<string?> ClientMetadataUrl { get; } = new("--client-metadata-url")
    {
        Description = "Identify the client by this client ID metadata document URL (https)",
        HelpName = "url",
    };
    public Option<string?> Scope { get; } = new("--scope") { Description = "Space-separated scopes to request", HelpName = "scopes" };
    public Option<string> CallbackHost { get; } = new("--callback-host")
    {
        Description = "Loopback host in the redirect URI: 127.0.0.1, localhost or ::1",
        DefaultValueFactory = _ => "127.0.0.1",
        HelpName = "host",
    };
    public Option<int?> CallbackPort { get; } = new("--callback-port")
    {
        Description = "Port for the redirect listener (default: the port this registration used last time, else a free one)",
        HelpName = "port",
    };
    public Option<string> CallbackPath { get; } = new("--callback-path")
    {
        Description = "Path of the redirect URI",
        DefaultValueFactory = _ => "/callback",
        HelpName = "path",
    };
    public Option<bool> NoBrowser { get; } = new("--no-browser")
    {
        Description = "Print the authorization URL and wait; on a remote machine, paste the redirect URL at the prompt",
    };
    public Option<int> Timeout { get; } = new("--timeout", "--auth-timeout")
    {
        Description = "Seconds to wait for the authorization before giving up",
        DefaultValueFactory = _ => 300,
        HelpName = "seconds",
    };

    /// <summary>The options a command adds, in help order.</summary>
    /// <summary>What real providers need (resource choice, extra parameters, audience, auth method, PKCE and issuer opt-ins, keys).</summary>
    public ProviderFlags Provider { get; } = new();

    public IEnumerable<Option> All =>
        new Option[] { ClientId }.Concat(ClientSecret.Options)
            .Concat([ClientMetadataUrl, Scope, CallbackHost, CallbackPort, CallbackPath, NoBrowser, Timeout]).Concat(Provider.Options);

    /// <summary>The parse step shared by the verbs: a login for <paramref name="server"/> and <paramref name="profile"/>.</summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="cli">Where a secret is read from (environment, stdin, the terminal).</param>
    /// <param name="server">The server.</param>
    /// <param name="profile">The profile.</param>
    /// <param name="promptSecret">Replaces the hidden prompt (tests).</param>
    /// <exception cref="CliException">A value is invalid; the message names the option.</exception>
    public LoginOptions Parse(ParseResult result, CliContext cli, Uri server, string profile, Func<string?>? promptSecret = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        SecretInput.CheckAll(result, ClientSecret, Provider.RegistrationToken);
        var secret = ClientSecret.Read(result, cli, promptSecret);
        var clientId = result.GetValue(ClientId);
        if (secret is not null && clientId is null)
        {
            throw new CliException("A client secret needs --client-id.");
        }
        var timeout = result.GetValue(Timeout);
        if (timeout < 1)
        {
            throw new CliException("--timeout must be at least 1 second.");
        }
        var (settings, registrationToken, newRegistration, key) = Provider.Parse(result, cli, clientId, secret is not null, promptSecret);
        var options = new LoginOptions
        {
            Settings = settings,
            RegistrationToken = registrationToken,
            NewRegistration = newRegistration,
            ClientKey = key,
            Server = server,
            Profile = profile,
            ClientId = clientId,
            ClientSecret = secret,
            ClientMetadataUrl = ParseMetadataUrl(result.GetValue(ClientMetadataUrl)),
            Scope = result.GetValue(Scope),
            Callback = new LoopbackListenerOptions
            {
                Host = result.GetValue(CallbackHost)!,
                Port = result.GetValue(CallbackPort),
                Path = result.GetValue(CallbackPath)!,
            },
            NoBrowser = result.GetValue(NoBrowser),
            Timeout = TimeSpan.FromSeconds(timeout),
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
