using System.Collections.Concurrent;
using McpAuth.Diagnostics;
using McpAuth.Protocol;
using McpAuth.Storage;
using Microsoft.Extensions.Logging;

namespace McpAuth.Engine;

/// <summary>
/// Per-server delegation (RFC 8693 §2.1): exchanges the stored subject token for a delegated token before an MCP
/// request, keeping the delegated token until it is about to expire. Falls back to the subject token only when the
/// server answers <c>unsupported_grant_type</c> or <c>unsupported_token_type</c>; every other error is thrown.
/// </summary>
internal sealed class Delegation(McpAuthOptions options, TokenEndpoint tokens, TimeProvider time, McpAuthTelemetry telemetry, ILogger logger)
{
    private readonly ConcurrentDictionary<string, Issued> _issued = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="resource"/> opted in.</summary>
    public bool Applies(string resource) => options.Delegation.ContainsKey(resource);

    /// <summary>The token to send to <paramref name="resource"/> instead of <paramref name="subject"/>.</summary>
    /// <exception cref="McpAuthException">The classified token exchange error (not <see cref="McpAuthErrorCode.UnsupportedGrantType"/>).</exception>
    public async Task<AccessToken> DelegateAsync(
        string resource, AccessToken subject, StoredCredential credential, ClientIdentity client, CancellationToken ct)
    {
        var delegation = options.Delegation[resource];
        if (_issued.TryGetValue(resource, out var issued) && issued.Subject == subject.Value && IsFresh(issued.Delegated))
        {
            return issued.Delegated;
        }
        AccessToken result;
        try
        {
            result = await telemetry.RunAsync(McpAuthTelemetryNames.DelegationSpan, resource,
                () => ExchangeAsync(delegation, resource, subject, credential, client, ct)).ConfigureAwait(false);
        }
        catch (McpAuthException e) when (e.Code == McpAuthErrorCode.UnsupportedGrantType)
        {
            DelegationLog.FellBack(logger, resource, e.OAuthError ?? e.Code.ToString());
            result = subject;
        }
        _issued[resource] = new Issued(subject.Value, result);
        return result;
    }

    private sealed record Issued(string Subject, AccessToken Delegated);

    private bool IsFresh(AccessToken token) => token.ExpiresAt is not { } expiry || expiry - options.Refresh.Skew > time.GetUtcNow();

    private async Task<AccessToken> ExchangeAsync(
        DelegationOptions delegation, string resource, AccessToken subject, StoredCredential credential, ClientIdentity client, CancellationToken ct)
    {
        var actor = delegation.ActorToken is null ? null : await delegation.ActorToken(ct).ConfigureAwait(false);
        var parameters = TokenExchange.BuildParameters(new TokenExchangeRequest(
            subject.Value, delegation.SubjectTokenType, actor, actor is null ? null : delegation.ActorTokenType,
            delegation.RequestedTokenType, delegation.Audience, delegation.Resource ?? resource, delegation.Scope));
        var endpoint = delegation.TokenEndpoint ?? new Uri(credential.TokenEndpoint);
        var response = await tokens.SendAsync(endpoint, credential.Binding.Issuer, client, parameters, ct).ConfigureAwait(false);
        var exchanged = TokenExchange.ReadResponse(response);
        DelegationLog.Delegated(logger, resource, exchanged.IssuedTokenType);
        return new AccessToken(exchanged.AccessToken, exchanged.TokenType ?? "Bearer",
            exchanged.ExpiresIn is { } lifetime ? time.GetUtcNow() + lifetime : null, exchanged.Scope);
    }
}

internal static partial class DelegationLog
{
    [LoggerMessage(50, LogLevel.Information, "Delegated token ({IssuedTokenType}) obtained for {Resource}")]
    public static partial void Delegated(ILogger logger, string resource, string issuedTokenType);

    [LoggerMessage(51, LogLevel.Warning, "Delegation not supported for {Resource} ({Reason}); sending the subject token")]
    public static partial void FellBack(ILogger logger, string resource, string reason);
}
