using McpAuth.Protocol;

namespace McpAuth.Engine;

/// <summary>
/// The device authorization grant's I/O (RFC 8628): the device authorization request (§3.1) and the polling of the
/// token endpoint (§3.4, §3.5) at the server's interval, 5 seconds longer after each <c>slow_down</c>, on the injected
/// clock. The pure steps are in <see cref="DeviceAuthorization"/>.
/// </summary>
internal sealed class DeviceCodeFlow(TokenEndpoint tokens, TimeProvider time)
{
    /// <summary>Asks for a device code and a user code for <paramref name="scope"/> and <paramref name="resource"/> (§3.1).</summary>
    /// <exception cref="McpAuthException"><see cref="McpAuthErrorCode.DeviceAuthorizationNotSupported"/>, or the classified error.</exception>
    public async Task<DeviceAuthorizationResponse> RequestAsync(
        AuthorizationServerMetadata server, ClientIdentity client, string? scope, string? resource, CancellationToken ct)
    {
        var endpoint = server.DeviceAuthorizationEndpoint
            ?? throw new McpAuthException(McpAuthErrorCode.DeviceAuthorizationNotSupported, server.Issuer);
        // Client authentication (client_id for a public client) is added as for the token endpoint.
        var response = await tokens.SendAsync(endpoint, server.Issuer, client, DeviceAuthorization.BuildParameters(null, scope, resource), ct)
            .ConfigureAwait(false);
        return DeviceAuthorization.ReadResponse(response);
    }

    /// <summary>Polls until the token is issued (§3.5).</summary>
    /// <exception cref="McpAuthException">
    /// <see cref="McpAuthErrorCode.DeviceAuthorizationFailed"/> when denied or expired (also when the codes' lifetime
    /// passes without an answer), or the classified token endpoint error.
    /// </exception>
    /// <param name="server">The authorization server.</param>
    /// <param name="client">The client that asked for the device code.</param>
    /// <param name="device">The device authorization response.</param>
    /// <param name="dpop">The key the tokens are bound to (RFC 9449), when the server supports DPoP; null for bearer tokens.</param>
    /// <param name="ct">Stops polling.</param>
    public async Task<TokenResponse> PollAsync(
        AuthorizationServerMetadata server, ClientIdentity client, DeviceAuthorizationResponse device, IDPoPProofSigner? dpop, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + device.ExpiresIn;
        var interval = device.Interval;
        var parameters = DeviceAuthorization.BuildPollParameters(device.DeviceCode, null);
        while (true)
        {
            if (time.GetUtcNow() + interval > deadline)
            {
                throw new McpAuthException(McpAuthErrorCode.DeviceAuthorizationFailed, "expired_token") { OAuthError = "expired_token" };
            }
            await Task.Delay(interval, time, ct).ConfigureAwait(false);
            var response = await tokens.SendAsync(server.TokenEndpoint, server.Issuer, client, parameters, dpop, ct).ConfigureAwait(false);
            DevicePollResult result;
            try
            {
                result = DeviceAuthorization.ReadPollResponse(response, interval);
            }
            catch (McpAuthException e) when (TokenEndpoint.AsksForNonce(e, response, dpop))
            {
                // RFC 9449 §8: the nonce is remembered now; the next poll carries it.
                result = new DevicePollResult.Pending(interval);
            }
            switch (result)
            {
                case DevicePollResult.Issued:
                    return TokenEndpointMessages.Read(response);
                case DevicePollResult.Pending pending:
                    interval = pending.Interval;
                    break;
                case DevicePollResult.SlowDown slower:
                    interval = slower.Interval;
                    break;
            }
        }
    }
}
