namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>A grant.error event: oidc-provider's real reason behind its fixed invalid_grant description.</summary>
public sealed record OidcGrantError(string Error, string Detail);

/// <summary>Counters from GET /__test/stats of tests/js/oidc-server.mjs, since start or the last reset.</summary>
public sealed record OidcServerStats
{
    /// <summary>"METHOD /path" (uids replaced by :id) to request count.</summary>
    public Dictionary<string, int> Requests { get; init; } = [];

    /// <summary>grant_type to token endpoint request count.</summary>
    public Dictionary<string, int> Token { get; init; } = [];

    /// <summary>grant_type to count of token endpoint requests answered with an error.</summary>
    public Dictionary<string, int> TokenErrors { get; init; } = [];

    /// <summary>Every grant.error event, in order.</summary>
    public List<OidcGrantError> GrantErrors { get; init; } = [];

    /// <summary>Used refresh tokens presented again (each revoked its grant).</summary>
    public int RefreshReplays { get; init; }

    /// <summary>Grants revoked, by replay detection or through the revocation endpoint.</summary>
    public int GrantsRevoked { get; init; }

    /// <summary>Refresh answers (200) whose client hung up before they were sent: rotated tokens nobody received.</summary>
    public int RefreshAnswersLost { get; init; }

    /// <summary>Successful revocation requests (RFC 7009).</summary>
    public int Revocations { get; init; }

    /// <summary>Introspection requests (RFC 7662).</summary>
    public int Introspections { get; init; }

    /// <summary>Successful dynamic client registrations (RFC 7591).</summary>
    public int Registrations { get; init; }

    /// <summary>Authorization responses sent back to clients.</summary>
    public int Authorizations { get; init; }

    /// <summary>Requests refused by strict client authentication (see <see cref="OidcServerConfig.StrictClientAuth"/>).</summary>
    public int ClientAuthRejections { get; init; }

    /// <summary>Token endpoint requests with this grant_type (0 when none).</summary>
    public int TokenRequests(string grantType) => Token.GetValueOrDefault(grantType);
}
