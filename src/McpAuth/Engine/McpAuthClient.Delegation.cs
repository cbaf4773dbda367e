using McpAuth.Protocol;

namespace McpAuth.Engine;

public sealed partial class McpAuthClient
{
    /// <summary>
    /// The token to send with one MCP request: <paramref name="token"/> itself, or, when the server opted in to
    /// delegation (<see cref="McpAuthOptions.Delegation"/>), a delegated token exchanged for it (RFC 8693).
    /// </summary>
    /// <exception cref="McpAuthException">The token exchange's classified error, except an unsupported grant or token type.</exception>
    internal async Task<AccessToken?> ForRequestAsync(Uri server, AccessToken? token, CancellationToken cancellationToken)
    {
        var resource = ResourceUri.Canonicalize(server);
        if (token is null || !_delegation.Applies(resource) || Session(server) is not { Credential: { } credential, Client: { } client })
        {
            return token;
        }
        return await _delegation.DelegateAsync(resource, token, credential, client, cancellationToken).ConfigureAwait(false);
    }

}
