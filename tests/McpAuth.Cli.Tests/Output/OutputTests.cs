using McpAuth.Cli.Output;

namespace McpAuth.Cli.Tests.Output;

public sealed class OutputTests
{
    [Theory]
    [InlineData(null, null, true, true)]
    [InlineData("1", null, true, false)]
    [InlineData("", null, true, true)]
    [InlineData(null, "dumb", true, false)]
    [InlineData(null, null, false, false)]
    public void Color_follows_NO_COLOR_TERM_and_the_terminal(string? noColor, string? term, bool terminal, bool expected)
    {
        var environment = new Dictionary<string, string?> { ["NO_COLOR"] = noColor, ["TERM"] = term };

        Assert.Equal(expected, CliContext.AllowsColor(n => environment.GetValueOrDefault(n), terminal));
    }

    [Fact]
    public void Paint_adds_escapes_only_when_color_is_on()
    {
        var plain = new TestConsole().Context();
        var colored = new CliContext { Out = TextWriter.Null, Err = TextWriter.Null, In = TextReader.Null, Environment = _ => null, UseColor = true };

        Assert.Equal("ok", plain.Green("ok"));
        Assert.Equal("\u001b[32mok\u001b[0m", colored.Green("ok"));
    }

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.payload", "eyJh********")]
    [InlineData("short-token", "********")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Masks_without_revealing_the_length(string? secret, string expected) => Assert.Equal(expected, TokenMask.Mask(secret));

    [Theory]
    [InlineData(0, "now")]
    [InlineData(30, "in 30 seconds")]
    [InlineData(59 * 60, "in 59 minutes")]
    [InlineData(-3 * 3600, "3 hours ago")]
    [InlineData(-60, "1 minute ago")]
    [InlineData(5 * 86400, "in 5 days")]
    public void Relative_time(int seconds, string expected)
    {
        var now = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, RelativeTime.Format(now.AddSeconds(seconds), now));
    }

    [Fact]
    public void Terminal_text_loses_escape_sequences_and_is_bounded()
    {
        Assert.Equal("a [31m b", TerminalText.Sanitize("a\u001b[31m\nb"));
        Assert.Equal(303, TerminalText.Sanitize(new string('x', 1000)).Length);
    }
}
