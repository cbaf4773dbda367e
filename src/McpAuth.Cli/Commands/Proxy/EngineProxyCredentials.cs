using System.Net.Http.Headers;
using McpAuth.Cli.Callback;
using McpAuth.Cli.Commands.Login;
using McpAuth.Cli.Engine;
using McpAuth.Protocol;

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
        var scope = await StepUpScopeAsync(response, cancellationToken).ConfigureAwait(false);
        await prose.Err.WriteLineAsync(scope is null
            ? $"mcpauth proxy: the server answered {(int)response.StatusCode}; logging in again."
            : $"mcpauth proxy: the server needs more scope; logging in again for {scope}.").ConfigureAwait(false);
        return await LoginAsync(scope, cancellationToken).ConfigureAwait(false) == ExitCodes.Ok;
    }

    /// <summary>
    /// For a 403 <c>insufficient_scope</c> naming a scope (MCP "Scope Challenge Handling"): the union of the stored
    /// credential's scope and the challenged one, as the engine's step-up asks; else null (the engine selects).
    /// </summary>
    private async Task<string?> StepUpScopeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != System.Net.HttpStatusCode.Forbidden)
        {
            return null;
        }
        var challenges = WwwAuthenticate.TryParse(response.Headers.WwwAuthenticate.Select(h => h.ToString()).ToList()) ?? [];
        if (challenges.FirstOrDefault(c => c.Error == "insufficient_scope" && c.Scope is not null) is not { } challenge)
        {
            return null;
        }
        await using var engine = engineFactory();
        var current = await engine.FindUsableAsync(options.Server, options.Profile, cancellationToken).ConfigureAwait(false);
        return ScopeSelection.Union(current?.Scope, challenge.Scope);
    }

    private async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await using var engine = engineFactory();
        return await engine.GetAccessTokenAsync(options.Server.OriginalString, options.Profile, cancellationToken).ConfigureAwait(false);
    }

    private Task<int> LoginAsync(CancellationToken cancellationToken) => LoginAsync(null, cancellationToken);

    private Task<int> LoginAsync(string? scope, CancellationToken cancellationToken) =>
        new LoginRunner(prose, engineFactory, browser).RunAsync(
            new LoginOptions { Server = options.Server, Profile = options.Profile, NoBrowser = options.NoBrowser, Scope = scope }, cancellationToken);
}
