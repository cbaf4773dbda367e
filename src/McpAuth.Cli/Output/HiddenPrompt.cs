using System.Text;

namespace McpAuth.Cli;

/// <summary>Reads a line from the terminal without echoing it (for secrets).</summary>
internal static class HiddenPrompt
{
    public static string? ReadLine()
    {
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return text.ToString();
                case ConsoleKey.Backspace when text.Length > 0:
                    text.Length--;
                    break;
                case ConsoleKey.Escape:
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        text.Append(key.KeyChar);
                    }
                    break;
            }
        }
    }
}
