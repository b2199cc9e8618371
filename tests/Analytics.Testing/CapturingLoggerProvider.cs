using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Analytics.Testing;

/// <summary>Keeps every log entry so tests can assert on levels and event names.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Gets or sets the level from which logging throws after keeping the entry, as a broken provider would.</summary>
    public LogLevel? ThrowFrom { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
            if (logLevel >= owner.ThrowFrom)
            {
                throw new InvalidOperationException($"The logging provider is broken ({eventId.Name}).");
            }
        }
    }
}
