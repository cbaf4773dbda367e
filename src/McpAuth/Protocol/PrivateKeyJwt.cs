namespace McpAuth.Protocol;

/// <summary>
/// JWT client authentication (RFC 7523 §2.2 and §3, RFC 7521 §4.2): the client proves its identity with a short-lived
/// JWT signed by its own key, <c>private_key_jwt</c> in RFC 8414 <c>token_endpoint_auth_methods_supported</c>.
/// </summary>
public static class PrivateKeyJwt
{
    /// <summary>RFC 7523 §2.2 <c>client_assertion_type</c> value.</summary>
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The RFC 8414 / RFC 7591 name of this authentication method.</summary>
    public const string AuthenticationMethod = "private_key_jwt";

    /// <summary>The assertion lifetime when none is given.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Assertions are meant for one request; an hour is already generous.</summary>
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// Creates a signed client assertion (RFC 7523 §3): <c>iss</c> = <c>sub</c> = <paramref name="clientId"/>,
    /// <c>aud</c>, <c>iat</c>, <c>exp</c> and a random <c>jti</c>; header <c>alg</c>, <c>typ</c> JWT and <c>kid</c>
    /// when the key has one.
    /// </summary>
    /// <param name="clientId">The client identifier.</param>
    /// <param name="audience">
    /// The authorization server: its issuer identifier or its token endpoint URL (RFC 7523 §3, item 3). Prefer the
    /// issuer identifier: draft-ietf-oauth-rfc7523bis makes it the only value, and the MCP conformance suite checks it.
    /// </param>
    /// <param name="key">The client's signing key.</param>
    /// <param name="now">The current time (from the injected <see cref="TimeProvider"/>).</param>
    /// <param name="lifetime">Time until <c>exp</c>; default 5 minutes, at most 1 hour.</param>
    /// <exception cref="ArgumentException">An empty client id or audience, or a lifetime out of range.</exception>
    public static string CreateClientAssertion(
        string clientId, string audience, ClientSigningKey key, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        ArgumentNullException.ThrowIfNull(key);
        var validFor = lifetime ?? DefaultLifetime;
        if (validFor <= TimeSpan.Zero || validFor > MaximumLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "The assertion lifetime must be positive and at most one hour.");
        }
        return Jws.Create(
            key,
            header =>
            {
                header.WriteString("typ", "JWT");
                if (key.KeyId is not null)
                {
                    header.WriteString("kid", key.KeyId);
                }
            },
            claims =>
            {
                claims.WriteString("iss", clientId);
                claims.WriteString("sub", clientId);
                claims.WriteString("aud", audience);
                claims.WriteNumber("iat", Jws.NumericDate(now));
                claims.WriteNumber("exp", Jws.NumericDate(now + validFor));
                claims.WriteString("jti", Jws.NewJwtId());
            });
    }

    /// <summary>
    /// The two token request parameters of RFC 7523 §2.2: <c>client_assertion_type</c> and
    /// <c>client_assertion</c>, with a fresh assertion from <see cref="CreateClientAssertion"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="CreateClientAssertion"/>.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(
        string clientId, string audience, ClientSigningKey key, DateTimeOffset now, TimeSpan? lifetime = null) =>
    [
        new("client_assertion_type", AssertionType),
        new("client_assertion", CreateClientAssertion(clientId, audience, key, now, lifetime)),
    ];
}
