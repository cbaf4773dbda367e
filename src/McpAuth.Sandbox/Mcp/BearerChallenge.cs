using System.Text;

namespace McpAuth.Sandbox;

/// <summary>Formats an RFC 6750 §3 <c>Bearer</c> challenge with RFC 9728 §5.1 <c>resource_metadata</c>.</summary>
internal static class BearerChallenge
{
    public static string Format(string? error, string? description, string? scope, string resourceMetadata)
    {
        var builder = new StringBuilder("Bearer ");
        var first = true;
        void Add(string name, string? value)
        {
            if (value is null)
            {
                return;
            }
            builder.Append(first ? "" : ", ").Append(name).Append("=\"").Append(Quote(value)).Append('"');
            first = false;
        }
        Add("error", error);
        Add("error_description", description);
        Add("scope", scope);
        Add("resource_metadata", resourceMetadata);
        return builder.ToString();
    }

    /// <summary>RFC 9110 §5.6.4 quoted-string: escape backslash and double quote.</summary>
    private static string Quote(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
