using McpAuth.Http;

namespace McpAuth.Cli.Commands.Proxy;

/// <summary>
/// Applies McpAuth's endpoint policy to the URL of every MCP request (the server URL, and any message endpoint an
/// HTTP+SSE server names): HTTPS except on loopback, never a link-local or cloud metadata host. The sender's
/// connect-time check of resolved addresses sees only the forward proxy's address when HTTP(S)_PROXY is in use, so this
/// URL check is what still applies to the target then.
/// </summary>
internal sealed class EndpointPolicyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.InsecureEndpoint"/>, <see cref="McpAuthErrorCode.ForbiddenAddress"/> or
    /// <see cref="McpAuthErrorCode.UnsupportedScheme"/>; nothing is sent.
    /// </exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EndpointPolicy.Validate(request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }
}
