namespace McpAuth.Protocol;

/// <summary>Which scopes to request (MCP authorization "Scope Selection Strategy" and "Scope Challenge Handling").</summary>
public static class ScopeSelection
{
    /// <summary>The scope that asks for a refresh token at servers that gate them (OpenID Connect Core §11).</summary>
    public const string OfflineAccess = "offline_access";

    /// <summary>
    /// The scope for a new authorization: the challenge's <c>scope</c> when present, else the protected resource
    /// metadata's <c>scopes_supported</c>, else none. <c>offline_access</c> is added when
    /// <paramref name="wantRefreshToken"/> and the authorization server lists it, also when nothing else names a scope
    /// (OpenID Connect Core §11: servers that gate refresh tokens on it issue none without it, and a server that
    /// lists it in <c>scopes_supported</c> accepts it).
    /// </summary>
    /// <returns>A space-separated scope, or null to omit the parameter (nothing named, no <c>offline_access</c> listed).</returns>
    public static string? Select(
        string? challengeScope, IReadOnlyList<string>? resourceScopesSupported, IReadOnlyList<string>? serverScopesSupported,
        bool wantRefreshToken)
    {
        IEnumerable<string> scopes = Split(challengeScope);
        if (!scopes.Any())
        {
            scopes = resourceScopesSupported ?? [];
        }
        var list = scopes.Distinct(StringComparer.Ordinal).ToList();
        if (wantRefreshToken && serverScopesSupported?.Contains(OfflineAccess, StringComparer.Ordinal) == true
            && !list.Contains(OfflineAccess, StringComparer.Ordinal))
        {
            list.Add(OfflineAccess);
        }
        return list.Count == 0 ? null : string.Join(' ', list);
    }

    /// <summary>
    /// The union of the scopes asked for before and the newly challenged ones, order kept (MCP "Scope Challenge
    /// Handling": a step-up must not drop scopes already granted).
    /// </summary>
    public static string? Union(string? previous, string? challenged)
    {
        var list = Split(previous).Concat(Split(challenged)).Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? null : string.Join(' ', list);
    }

    /// <summary>True when every scope of <paramref name="required"/> is in <paramref name="granted"/>.</summary>
    public static bool Contains(string? granted, string? required) =>
        Split(required).All(s => Split(granted).Contains(s, StringComparer.Ordinal));

    /// <summary>Splits a space-separated scope (RFC 6749 §3.3).</summary>
    public static IReadOnlyList<string> Split(string? scope) =>
        scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
