namespace McpAuth.Protocol;

/// <summary>
/// The JWT bearer authorization grant (RFC 7523 §2.1, RFC 7521 §4.1): the client trades a JWT issued by a party the
/// authorization server trusts (a workload identity, an ID-JAG) for an access token.
/// </summary>
public static class JwtBearerGrant
{
    /// <summary>RFC 7523 §2.1 <c>grant_type</c> value.</summary>
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>
    /// The token request parameters (RFC 7523 §2.1): <c>grant_type</c>, <c>assertion</c>, and <c>scope</c> and
    /// <c>resource</c> (RFC 8707 §2) when given. Client authentication is added by the caller.
    /// </summary>
    /// <exception cref="ArgumentException">An empty assertion.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildParameters(string assertion, string? scope, string? resource)
    {
        ArgumentException.ThrowIfNullOrEmpty(assertion);
        var parameters = new List<KeyValuePair<string, string>>(4)
        {
            new("grant_type", GrantType),
            new("assertion", assertion),
        };
        FormParameters.AddIfPresent(parameters, "scope", scope);
        FormParameters.AddIfPresent(parameters, "resource", resource);
        return parameters;
    }
}
