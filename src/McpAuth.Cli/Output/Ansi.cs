namespace McpAuth.Cli.Output;

/// <summary>Color for prose on stderr, only when <see cref="CliContext.UseColor"/> (NO_COLOR, TERM=dumb, redirection turn it off).</summary>
public static class Ansi
{
    public static string Green(this CliContext cli, string text) => Paint(cli, text, "32");

    public static string Yellow(this CliContext cli, string text) => Paint(cli, text, "33");

    public static string Red(this CliContext cli, string text) => Paint(cli, text, "31");

    private static string Paint(CliContext cli, string text, string code)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return cli.UseColor ? $"\u001b[{code}m{text}\u001b[0m" : text;
    }
}
