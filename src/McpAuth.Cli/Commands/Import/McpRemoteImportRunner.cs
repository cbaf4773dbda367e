using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Coordination;
using McpAuth.Cli.Output;
using McpAuth.Engine;

namespace McpAuth.Cli.Commands.Import;

/// <summary>
/// The run step of <c>mcpauth import --from mcp-remote</c>: for each server, the credential and client registration
/// mcp-remote stored are imported through the library's <see cref="McpAuthClient.ImportAsync"/> (discovery binds them
/// exactly as a login would), with the registration's redirect URI kept and remembered for the server, so refreshes
/// and later logins (<c>login</c>, <c>proxy</c>) use the same client. Exit 0 when every server was imported, 4 when
/// mcp-remote has no credential for one (log in with <c>mcpauth login</c>), 1 on another failure.
/// </summary>
public sealed class McpRemoteImportRunner(CliContext cli)
{
    public async Task<int> RunAsync(McpRemoteImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = McpRemoteStore.ConfigDirectory(cli.Environment);
        if (options.Servers.Count == 0)
        {
            await cli.Err.WriteLineAsync($"mcpauth: {options.ConfigFile} names no server started through mcp-remote.").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        var exit = ExitCodes.Ok;
        foreach (var (name, server) in options.Servers)
        {
            var code = await ImportOneAsync(directory, name, server, options.Profile, cancellationToken).ConfigureAwait(false);
            exit = Math.Max(exit, code);
        }
        return exit;
    }

    private async Task<int> ImportOneAsync(string directory, string name, McpRemoteServer server, string profile, CancellationToken cancellationToken)
    {
        var label = name == server.Url ? server.Url : $"{name} ({server.Url})";
        if (McpRemoteStore.Find(directory, server) is not { } found)
        {
            await cli.Err.WriteLineAsync(
                $"mcpauth: mcp-remote has no credential for {label} in {directory} (its key {McpRemoteStore.Hash(server)} covers the URL, --header and --resource exactly as given to mcp-remote). Run: mcpauth login {server.Url}")
                .ConfigureAwait(false);
            return ExitCodes.LoginNeeded;
        }
        var url = CommonOptions.ParseServerUrl(server.Url);
        try
        {
            await using var engine = LibraryEngine.Create(cli, new LoginOptions { Server = url, Profile = profile }, found.RedirectUri);
            var credential = await engine.Client.ImportAsync(url, new ImportedTokens(found.AccessToken, found.ClientId)
            {
                RefreshToken = found.RefreshToken,
                ExpiresAt = found.ExpiresAt,
                ClientSecret = found.ClientSecret,
                Scope = found.Scope,
                Profile = profile,
                RedirectUri = found.RedirectUri,
            }, cancellationToken).ConfigureAwait(false);
            new CallbackPortMemory(cli.Home).Remember(url, profile, found.RedirectUri);
            var expiry = found.ExpiresAt is { } e ? $", expires {RelativeTime.Format(e, cli.Time.GetUtcNow())}" : "";
            var refresh = found.RefreshToken is null ? ", no refresh token" : ", refreshable";
            await cli.Err.WriteLineAsync(cli.Green(
                $"Imported mcp-remote's credential for {label} (profile {profile}, issuer {credential.Binding.Issuer}, client {found.ClientId}{expiry}{refresh}).")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (McpAuthException e)
        {
            await cli.Err.WriteLineAsync($"mcpauth: {label}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
    }
}
