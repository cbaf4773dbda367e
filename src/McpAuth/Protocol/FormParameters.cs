namespace McpAuth.Protocol;

/// <summary>Small helpers for building <c>application/x-www-form-urlencoded</c> parameter lists.</summary>
internal static class FormParameters
{
    /// <summary>Adds <paramref name="name"/> when <paramref name="value"/> is neither null nor empty.</summary>
    public static void AddIfPresent(List<KeyValuePair<string, string>> parameters, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parameters.Add(new(name, value));
        }
    }

    /// <summary>
    /// <c>token</c> and, when given, <c>token_type_hint</c>: the request body of revocation (RFC 7009 §2.1) and
    /// introspection (RFC 7662 §2.1).
    /// </summary>
    /// <exception cref="ArgumentException">An empty token.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> TokenWithHint(string token, string? tokenTypeHint)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var parameters = new List<KeyValuePair<string, string>>(2) { new("token", token) };
        AddIfPresent(parameters, "token_type_hint", tokenTypeHint);
        return parameters;
    }
}
