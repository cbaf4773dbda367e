using System.Net.Http.Headers;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Where the proxy gets its credential and what it does when the remote server rejects it. The McpAuth engine
/// implements it (refresh before expiry, re-authorization and step-up on a challenge, one browser flow across proxies).
/// </summary>
public interface IProxyCredentials
{
    /// <summary>The Authorization header for the next request; null to send none.</summary>
    Task<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Handles a 401 or 403 response (its WWW-Authenticate challenge): refresh, step up or log in again.
    /// Returns true when the request should be retried with a new credential.
    /// </summary>
    Task<bool> HandleRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken);
}
