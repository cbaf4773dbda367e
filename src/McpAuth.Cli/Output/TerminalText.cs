namespace McpAuth.Cli.Output;

/// <summary>Makes server-controlled text safe to print on a terminal: control characters (escape sequences) removed.</summary>
public static class TerminalText
{
    public static string Sanitize(string? text, int maxLength = 300)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return clean.Length <= maxLength ? clean : string.Concat(clean.AsSpan(0, maxLength), "...");
    }
}
