using System.Net;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Remembers the last access token the server rejected (401, or 403 for a step-up), as McpAuthHandler sent it, so a
/// login about to start can tell whether another process has stored a different credential meanwhile
/// (<see cref="ProxyAuthorization"/>). Sits under <c>McpAuthHandler</c>, where the Authorization header is set.
/// </summary>
internal sealed class RejectedTokenWatch(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private string? _rejected;

    /// <summary>The last rejected access token; null when none was (the request went out without credentials).</summary>
    public string? LastRejected => Volatile.Read(ref _rejected);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Volatile.Write(ref _rejected, request.Headers.Authorization?.Parameter);
        }
        return response;
    }
}
