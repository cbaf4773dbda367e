namespace McpAuth.Cli.Output;

/// <summary>
/// Masks secrets for display (gh style): a short prefix so a person can tell tokens apart, then a fixed run of
/// asterisks that does not reveal the length.
/// </summary>
public static class TokenMask
{
    private const string Stars = "********";

    /// <summary>Returns a masked form of <paramref name="secret"/>; short secrets are fully masked.</summary>
    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "";
        }
        var visible = secret.Length >= 16 ? 4 : 0;
        return string.Concat(secret.AsSpan(0, visible), Stars);
    }
}
