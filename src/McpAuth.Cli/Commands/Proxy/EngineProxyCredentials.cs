using System.Net.Http.Headers;
using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Engine;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// The proxy's credentials from the McpAuth engine: the stored token (refreshed when due) on every request; when there is
/// none, or the server rejects it (401, or 403 insufficient_scope), a login through the same lock-coordinated flow as
/// <c>mcpauth login</c>, so several proxies for one server share one browser flow (the others join it).
/// </summary>
internal sealed class EngineProxyCredentials(
    CliContext prose, Func<ICliEngine> engineFactory, IBrowserLauncher browser, ProxyOptions options) : IProxyCredentials
{
    public async Task<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new AuthenticationHeaderValue("Bearer", await GetTokenAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.LoginRequired)
        {
            await LoginAsync(cancellationToken).ConfigureAwait(false);
            return new AuthenticationHeaderValue("Bearer", await GetTokenAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    public async Task<bool> HandleRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await prose.Err.WriteLineAsync($"mcpauth proxy: the server answered {(int)response.StatusCode}; logging in again.").ConfigureAwait(false);
        return await LoginAsync(cancellationToken).ConfigureAwait(false) == ExitCodes.Ok;
    }

    private async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await using var engine = engineFactory();
        return await engine.GetAccessTokenAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
    }

    private Task<int> LoginAsync(CancellationToken cancellationToken) =>
        new LoginRunner(prose, engineFactory, browser).RunAsync(
            new LoginOptions { Server = options.Server, Profile = options.Profile, NoBrowser = options.NoBrowser }, cancellationToken);
}
