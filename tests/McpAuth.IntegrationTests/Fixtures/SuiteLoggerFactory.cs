using Microsoft.Extensions.Logging;

namespace McpAuth.IntegrationTests.Fixtures;

/// <summary>
/// The loggers every McpAuth engine in the integration tests gets: every level from Trace, each line (with its
/// structured values, scopes and exception) recorded by <see cref="SuiteCapture"/> for the whole-suite secret sweep.
/// </summary>
public sealed class SuiteLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private SuiteLoggerFactory()
    {
    }

    /// <summary>The one factory of this process (it only forwards to <see cref="SuiteCapture"/>).</summary>
    public static SuiteLoggerFactory Instance { get; } = new();

    /// <summary>A typed logger for <typeparamref name="T"/> (what <c>McpAuthClient</c>'s constructor takes).</summary>
    public static ILogger<T> Logger<T>() => new Logger<T>(Instance);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName);

    /// <summary>Other providers are not needed: everything goes to the capture.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>One log call as one text: level, category, event, message, structured values, exception.</summary>
    public static string Format<TState>(
        string category, LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
            : "";
        return $"{logLevel} {category} [{eventId}] {formatter(state, exception)} {structured} {exception}";
    }

    private sealed class CapturingLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            SuiteCapture.RecordLog(category, $"scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            SuiteCapture.RecordLog(category, Format(category, logLevel, eventId, state, exception, formatter));
    }
}
