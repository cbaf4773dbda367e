using McpAuth.Protocol;

namespace McpAuth.Engine;

public sealed partial class McpAuthClient
{
    /// <summary>
    /// Authorizes with the device authorization grant (RFC 8628): discovery and client identity as for the code flow,
    /// a device code for the MCP server's resource (RFC 8707) and the selected scopes, <paramref name="show"/> tells the
    /// user where to go and which code to enter, then the token endpoint is polled until the user decides. The
    /// credential is stored as for the code flow.
    /// </summary>
    /// <param name="server">The MCP server URL.</param>
    /// <param name="show">Shows <see cref="DeviceAuthorizationResponse.VerificationUri"/> and the user code.</param>
    /// <param name="cancellationToken">Stops polling.</param>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.DeviceAuthorizationNotSupported"/> when the authorization server has no device
    /// endpoint; <see cref="McpAuthErrorCode.DeviceAuthorizationFailed"/> when the user denied or the codes expired;
    /// any other step's typed error.
    /// </exception>
    public async Task<AccessToken> AuthorizeWithDeviceCodeAsync(
        Uri server, Func<DeviceAuthorizationResponse, CancellationToken, Task> show, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(show);
        var session = Session(server);
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var discovery = await DiscoverAsync(session, server, null, behind: null, cancellationToken).ConfigureAwait(false);
            var metadata = discovery.AuthorizationServer;
            if (metadata.DeviceAuthorizationEndpoint is null)
            {
                throw new McpAuthException(McpAuthErrorCode.DeviceAuthorizationNotSupported, metadata.Issuer);
            }
            var scope = SelectScope(discovery, session.ChallengeScope);
            var client = await ResolveClientAsync(discovery, behind: null, cancellationToken).ConfigureAwait(false);
            var device = await _deviceFlow.RequestAsync(metadata, client, scope, _options.Authorization.ResourceParameter(discovery.Resource),
                cancellationToken).ConfigureAwait(false);
            await show(device, cancellationToken).ConfigureAwait(false);
            // Sender-constrained like the code flow's tokens when the server supports DPoP (RFC 9449).
            var dpop = _grants.NewDPoPKey(metadata);
            var response = await _deviceFlow.PollAsync(metadata, client, device, dpop, cancellationToken).ConfigureAwait(false);
            session.Scope = scope;
            return await StoreAsync(session, discovery, client, response, dpop, scope, DeviceAuthorization.GrantType, behind: null, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (McpAuthException e)
        {
            EngineLog.AuthorizationFailed(_logger, ResourceUri.Canonicalize(server), e.Code);
            throw;
        }
        finally
        {
            session.Gate.Release();
        }
    }
}
