namespace McpAuth.Engine;

/// <summary>The leg of enterprise-managed authorization (ID-JAG) that failed.</summary>
public enum EnterpriseLeg
{
    /// <summary>Obtaining the user's ID token at the enterprise IdP (the OpenID login).</summary>
    IdpLogin,

    /// <summary>Discovering the MCP server's authorization server (RFC 9728, RFC 8414).</summary>
    Discovery,

    /// <summary>The token exchange at the IdP: ID token for an ID-JAG (RFC 8693 §2.1).</summary>
    TokenExchange,

    /// <summary>The JWT bearer grant at the MCP authorization server with the ID-JAG (RFC 7523 §2.1).</summary>
    JwtBearerGrant,
}

/// <summary>
/// A failure of enterprise-managed authorization: the original <see cref="McpAuthException.Code"/> and server data, and
/// the <see cref="Leg"/> that failed. The original exception is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class EnterpriseAuthorizationException : McpAuthException
{
    /// <param name="leg">The leg that failed.</param>
    /// <param name="inner">The leg's error; its code, status, OAuth error and endpoint are copied.</param>
    public EnterpriseAuthorizationException(EnterpriseLeg leg, McpAuthException inner)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Code, $"{leg}: {inner.Detail}", inner)
    {
        Leg = leg;
        StatusCode = inner.StatusCode;
        OAuthError = inner.OAuthError;
        OAuthErrorDescription = inner.OAuthErrorDescription;
        Endpoint = inner.Endpoint;
        RetryAfter = inner.RetryAfter;
    }

    /// <summary>Which leg failed.</summary>
    public EnterpriseLeg Leg { get; }

    /// <summary>True when the IdP rejected the cached ID token (it was then deleted; the next attempt logs in again).</summary>
    public bool IdTokenRejected => Leg == EnterpriseLeg.TokenExchange && Code == McpAuthErrorCode.InvalidGrant;
}
