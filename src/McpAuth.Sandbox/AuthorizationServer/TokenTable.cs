using System.Buffers.Text;
using System.Security.Cryptography;

namespace McpAuth.Sandbox;

/// <summary>
/// Every authorization code, grant and token the sandbox issued, in memory, behind one lock. A grant is a token
/// family: the tokens from one code redemption (or one client credentials request) and all their refreshes.
/// Revoking a grant makes every token of the family inactive at once.
/// </summary>
internal sealed class TokenTable(SandboxAuthorizationServerOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AuthorizationCodeEntry> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    public string CreateCode(AuthorizationCodeEntry entry)
    {
        var code = NewValue("sac_");
        options.SecretObserver?.Invoke("authorization_code", code);
        lock (_gate)
        {
            _codes[code] = entry with { ExpiresAt = Now + options.AuthorizationCodeLifetime };
        }
        return code;
    }

    /// <summary>
    /// Marks <paramref name="code"/> used and returns it, or explains why it cannot be used. A code used a second time
    /// revokes the family it produced (RFC 6749 §4.1.2).
    /// </summary>
    public AuthorizationCodeEntry? TakeCode(string code, string clientId, out string? failure)
    {
        lock (_gate)
        {
            failure = null;
            if (!_codes.TryGetValue(code, out var entry) || entry.ClientId != clientId)
            {
                failure = "authorization code unknown or issued to another client";
                return null;
            }
            if (entry.Used)
            {
                entry.Grant?.Revoke();
                failure = "authorization code already used; the tokens issued for it are revoked";
                return null;
            }
            entry.Used = true;
            if (entry.ExpiresAt <= Now)
            {
                failure = "authorization code expired";
                return null;
            }
            return entry;
        }
    }

    /// <summary>Starts a new token family for <paramref name="code"/> (so a replay of the code can revoke it).</summary>
    public Grant StartGrant(AuthorizationCodeEntry code, string? resource)
    {
        var grant = new Grant(code.ClientId, code.Subject, code.Scope, resource);
        lock (_gate)
        {
            code.Grant = grant;
        }
        return grant;
    }

    /// <summary>Issues an access token (and a refresh token when asked) in <paramref name="grant"/>'s family.</summary>
    public IssuedTokens Issue(Grant grant, ScopeSet accessScope, bool withRefreshToken)
    {
        var now = Now;
        var accessToken = NewValue("sat_");
        var refreshToken = withRefreshToken ? NewValue("srt_") : null;
        options.SecretObserver?.Invoke("access_token", accessToken);
        if (refreshToken is not null)
        {
            options.SecretObserver?.Invoke("refresh_token", refreshToken);
        }
        lock (_gate)
        {
            _tokens[accessToken] = new IssuedToken(TokenKind.Access, grant, accessScope, now, now + options.AccessTokenLifetime);
            if (refreshToken is not null)
            {
                _tokens[refreshToken] = new IssuedToken(TokenKind.Refresh, grant, grant.Scope, now, now + options.RefreshTokenLifetime);
            }
        }
        return new IssuedTokens(accessToken, refreshToken, accessScope, options.AccessTokenLifetime);
    }

    /// <summary>
    /// Uses a refresh token once (rotation). A refresh token presented again revokes its whole family: whoever holds
    /// the newer tokens loses them too, as RFC 9700 §4.14.2 recommends. <paramref name="check"/> runs before the
    /// token is marked used, so a request refused for its scope or resource does not consume the token.
    /// </summary>
    public Grant? UseRefreshToken(string refreshToken, string clientId, Func<Grant, OAuthError?> check, out OAuthError? failure)
    {
        lock (_gate)
        {
            failure = null;
            if (!_tokens.TryGetValue(refreshToken, out var token) || token.Kind != TokenKind.Refresh || token.Grant.ClientId != clientId)
            {
                failure = OAuthError.InvalidGrant("refresh token unknown or issued to another client");
                return null;
            }
            if (token.Used && !token.Revoked && !token.Grant.Revoked && InReuseGrace(token))
            {
                failure = check(token.Grant); // within the grace window: a new pair, the grant is kept
                return failure is null ? token.Grant : null;
            }
            if (token.Used)
            {
                token.Grant.Revoke();
                failure = OAuthError.InvalidGrant("refresh token already used; its token family is revoked");
                return null;
            }
            if (token.Revoked || token.Grant.Revoked)
            {
                failure = OAuthError.InvalidGrant("refresh token revoked");
                return null;
            }
            if (token.ExpiresAt <= Now)
            {
                failure = OAuthError.InvalidGrant("refresh token expired");
                return null;
            }
            failure = check(token.Grant);
            if (failure is not null)
            {
                return null;
            }
            if (!options.Quirks.NetSuiteResponses) // NetSuite keeps its refresh token valid: no rotation
            {
                token.Used = true;
                token.UsedAt = Now;
            }
            return token.Grant;
        }
    }

    /// <summary>
    /// RFC 7009 §2.1 revocation. A refresh token revokes its family; an access token only itself. Unknown tokens
    /// succeed silently; a token of another client is refused.
    /// </summary>
    public RevocationOutcome Revoke(string value, string clientId)
    {
        lock (_gate)
        {
            if (!_tokens.TryGetValue(value, out var token))
            {
                return RevocationOutcome.Unknown;
            }
            if (token.Grant.ClientId != clientId)
            {
                return RevocationOutcome.OtherClient;
            }
            if (token.Kind == TokenKind.Refresh)
            {
                token.Grant.Revoke();
            }
            token.Revoked = true;
            return RevocationOutcome.Revoked;
        }
    }

    /// <summary>Revokes every grant of <paramref name="clientId"/>, as a user removing the app at the provider would.</summary>
    public int RevokeClient(string clientId)
    {
        lock (_gate)
        {
            var grants = _tokens.Values.Select(t => t.Grant).Where(g => g.ClientId == clientId && !g.Revoked).Distinct().ToList();
            grants.ForEach(g => g.Revoke());
            return grants.Count;
        }
    }

    /// <summary>The token when it is active (RFC 7662 §2.2): known, unexpired, not revoked, family not revoked, not yet rotated.</summary>
    public IssuedToken? FindActive(string value)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(value, out var token) && IsActive(token) ? token : null;
        }
    }

    /// <summary>How many tokens of either kind are active now (for tests and the demo).</summary>
    public int CountActive()
    {
        lock (_gate)
        {
            return _tokens.Values.Count(IsActive);
        }
    }

    private bool InReuseGrace(IssuedToken token) =>
        options.Quirks.RefreshTokenReuseGrace > TimeSpan.Zero && token.UsedAt is { } used && Now - used <= options.Quirks.RefreshTokenReuseGrace;

    private bool IsActive(IssuedToken token) =>
        !token.Revoked && !token.Grant.Revoked && !(token.Kind == TokenKind.Refresh && token.Used) && !(token.ExpiresAt <= Now);

    private static string NewValue(string prefix) =>
        prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

internal enum TokenKind
{
    Access,
    Refresh,
}

internal enum RevocationOutcome
{
    Revoked,
    Unknown,
    OtherClient,
}

/// <summary>One token family: what the resource owner granted to one client for one resource.</summary>
internal sealed class Grant(string clientId, string subject, ScopeSet scope, string? resource)
{
    private volatile bool _revoked;

    public string ClientId { get; } = clientId;

    public string Subject { get; } = subject;

    /// <summary>The scope originally granted: refreshes may narrow it, never widen it (RFC 6749 §6).</summary>
    public ScopeSet Scope { get; } = scope;

    /// <summary>The RFC 8707 resource (the audience of every access token of the family); null when none was sent.</summary>
    public string? Resource { get; } = resource;

    public bool Revoked => _revoked;

    public void Revoke() => _revoked = true;
}

/// <summary>An issued access or refresh token. Mutable flags are changed only under the table's lock.</summary>
internal sealed class IssuedToken(TokenKind kind, Grant grant, ScopeSet scope, DateTimeOffset issuedAt, DateTimeOffset? expiresAt)
{
    public TokenKind Kind { get; } = kind;

    public Grant Grant { get; } = grant;

    public ScopeSet Scope { get; } = scope;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    public bool Used { get; set; }

    /// <summary>When it was rotated (for a reuse grace window).</summary>
    public DateTimeOffset? UsedAt { get; set; }

    public bool Revoked { get; set; }
}

/// <summary>An authorization code and what was approved with it.</summary>
internal sealed record AuthorizationCodeEntry(
    string ClientId,
    string Subject,
    string? RedirectUriParameter,
    string CodeChallenge,
    ScopeSet Scope,
    string? Resource)
{
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>False when a quirk withholds refresh tokens from this authorization (Google without offline access).</summary>
    public bool AllowsRefreshToken { get; init; } = true;

    public bool Used { get; set; }

    public Grant? Grant { get; set; }
}

/// <summary>The tokens of one successful token response.</summary>
internal sealed record IssuedTokens(string AccessToken, string? RefreshToken, ScopeSet Scope, TimeSpan ExpiresIn);
