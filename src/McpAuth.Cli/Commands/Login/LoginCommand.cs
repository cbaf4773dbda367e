using System.CommandLine;

namespace McpAuth.Cli.Commands.Login;

/// <summary>The <c>login</c> verb: its symbols and its parse step.</summary>
public sealed class LoginCommand : VerbCommand
{
    private readonly Argument<string> _server = CommonOptions.ServerUrl();
    private readonly Option<string> _profile = CommonOptions.Profile();
    private readonly LoginSymbols _login = new();
    private readonly Option<bool> _device = new("--device") { Description = "Use the device authorization grant (RFC 8628)" };
    private readonly Option<bool> _replace = new("--replace")
    {
        Description = "Cancel a login already in progress for this server and profile instead of joining it",
    };
    private readonly Option<bool> _json = CommonOptions.Json();

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
        foreach (var option in new Option[] { _profile }.Concat(_login.All).Concat([_device, _replace, _json]))
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
        var options = _login.Parse(result, cli, CommonOptions.ParseServerUrl(result.GetValue(_server)),
            CommonOptions.ParseProfile(result.GetValue(_profile)), promptSecret);
        return options with
        {
            Device = result.GetValue(_device),
            Replace = result.GetValue(_replace),
            Json = result.GetValue(_json),
        };
    }
}
