using McpAuth.Cli.Output;
using McpAuth.Engine;
using Microsoft.Extensions.Logging;

namespace McpAuth.Cli.Tests.Output;

/// <summary>MCPAUTH_LOG: the library's log on stderr, one line per entry, nothing at all when unset.</summary>
public sealed class StderrLogTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("none")]
    public void Unset_or_none_creates_no_logger(string? value)
    {
        var console = new TestConsole { Environment = { ["MCPAUTH_LOG"] = value } };

        Assert.Null(StderrLog.Create<McpAuthClient>(console.Context()));
        Assert.Equal("", console.Err.ToString());
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("critical", LogLevel.Critical)]
    public void Level_names_and_short_forms_parse(string value, LogLevel expected)
    {
        Assert.True(StderrLog.TryParseLevel(value, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("verbose")]
    [InlineData("0")]
    public void An_unknown_level_says_so_and_logs_nothing(string value)
    {
        var console = new TestConsole { Environment = { ["MCPAUTH_LOG"] = value } };

        Assert.Null(StderrLog.Create<McpAuthClient>(console.Context()));
        Assert.Contains($"MCPAUTH_LOG={value} is not a log level", console.Err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_at_or_above_the_level_go_to_stderr_one_line_each()
    {
        var console = new TestConsole { Environment = { ["MCPAUTH_LOG"] = "debug" } };
        var logger = StderrLog.Create<McpAuthClient>(console.Context())!;

        logger.LogTrace("hidden");
        logger.LogDebug(new EventId(3001), "Refreshing at {Issuer}", "http://127.0.0.1:1");
        logger.LogWarning(new EventId(7), new InvalidOperationException("outer\nsecond line", new TimeoutException("inner")), "Failed");

        Assert.Equal(
            "dbug: McpAuth.Engine.McpAuthClient[3001] Refreshing at http://127.0.0.1:1\n" +
            "warn: McpAuth.Engine.McpAuthClient[7] Failed (InvalidOperationException: outer second line) (TimeoutException: inner)\n",
            console.Err.ToString().ReplaceLineEndings("\n"));
    }
}
