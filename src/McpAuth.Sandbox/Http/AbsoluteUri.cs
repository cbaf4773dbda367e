namespace McpAuth.Sandbox;

/// <summary>RFC 3986 §4.3 absolute URIs without fragment, refusing what .NET on Unix would read as a file path.</summary>
internal static class AbsoluteUri
{
    public static bool IsValidWithoutFragment(string value) =>
        !value.StartsWith('/') && !value.Contains('#', StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out _);
}
