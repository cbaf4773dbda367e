using System.Collections.Concurrent;
using McpAuth.IntegrationTests.Fixtures;
using Microsoft.Extensions.Logging;

namespace McpAuth.Hardening.Tests.Infrastructure;

/// <summary>
/// Captures every log line at every level, with its exception's ToString, so tests can search them for secrets.
/// Each line also goes to the whole-suite capture (<see cref="SuiteCapture"/>).
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            Add($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Add(SuiteLoggerFactory.Format(category, logLevel, eventId, state, exception, formatter));

        private void Add(string line)
        {
            lines.Enqueue(line);
            SuiteCapture.RecordLog(category, line);
        }
    }
}
