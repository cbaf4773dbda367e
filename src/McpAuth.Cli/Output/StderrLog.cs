using Microsoft.Extensions.Logging;

namespace McpAuth.Cli.Output;

/// <summary>
/// <c>MCPAUTH_LOG=trace|debug|information|warning|error|critical</c>: the McpAuth library's log on stderr, one line per
/// entry (<c>dbug: McpAuth.Engine.McpAuthClient[1] ...</c>), for diagnosing a login or a refresh. Unset (or
/// <c>none</c>): no logger at all, so a command pays nothing. The library never logs tokens, secrets, codes or
/// verifiers, so the output is safe to paste into an issue.
/// </summary>
internal static class StderrLog
{
    /// <summary>The environment variable that turns the log on.</summary>
    public const string Variable = "MCPAUTH_LOG";

    /// <summary>A logger for <typeparamref name="T"/> at the level MCPAUTH_LOG names, or null when it is unset.</summary>
    public static ILogger<T>? Create<T>(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var value = cli.Environment(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!TryParseLevel(value, out var minimum))
        {
            cli.Err.WriteLine(
                $"mcpauth: {Variable}={value} is not a log level (trace, debug, information, warning, error, critical, none); not logging.");
            return null;
        }
        return minimum == LogLevel.None ? null : new Logger<T>(typeof(T).FullName ?? typeof(T).Name, minimum, cli.Err);
    }

    /// <summary>
    /// A logger factory at the level MCPAUTH_LOG names (for libraries that take one, as the MCP SDK's transports do), or
    /// null when it is unset.
    /// </summary>
    public static ILoggerFactory? CreateFactory(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var value = cli.Environment(Variable);
        return !string.IsNullOrWhiteSpace(value) && TryParseLevel(value, out var minimum) && minimum != LogLevel.None
            ? new Factory(minimum, cli.Err)
            : null;
    }

    /// <summary>A level name, case-insensitive: trace, debug, information (info), warning (warn), error, critical, none.</summary>
    public static bool TryParseLevel(string value, out LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(value);
        LogLevel? parsed = value.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "information" or "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => null,
        };
        level = parsed ?? LogLevel.None;
        return parsed is not null;
    }

    /// <summary>One entry as one line: the short level name, category, event id, message, and exception messages.</summary>
    public static string Format(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var line = $"{ShortName(level)}: {category}[{eventId.Id}] {message}";
        for (var e = exception; e is not null; e = e.InnerException)
        {
            line += $" ({e.GetType().Name}: {e.Message})";
        }
        return line.ReplaceLineEndings(" ");
    }

    private static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private sealed class Factory(LogLevel minimum, TextWriter err) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger<object>(categoryName, minimum, err);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class Logger<T>(string category, LogLevel minimum, TextWriter err) : ILogger<T>
    {
        private readonly Lock _gate = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var line = Format(logLevel, category, eventId, formatter(state, exception), exception);
            lock (_gate)
            {
                err.WriteLine(line);
            }
        }
    }
}
