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
}
