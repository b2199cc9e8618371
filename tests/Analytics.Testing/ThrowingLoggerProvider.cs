using Microsoft.Extensions.Logging;

namespace Analytics.Testing;

/// <summary>
/// A broken logging provider: every entry from <see cref="ThrowFrom"/> up throws, as a faulty sink would. It keeps
/// nothing; a <c>FakeLoggerProvider</c> beside it still does, because the logging framework writes to every provider
/// before it throws what they threw.
/// </summary>
public sealed class ThrowingLoggerProvider : ILoggerProvider
{
    /// <summary>Gets or sets the level from which logging throws; <see langword="null"/>, the default, never throws.</summary>
    public LogLevel? ThrowFrom { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(ThrowingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= owner.ThrowFrom)
            {
                throw new InvalidOperationException($"The logging provider is broken ({eventId.Name}).");
            }
        }
    }
}
