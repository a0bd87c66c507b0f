using Microsoft.Extensions.Logging;

namespace Broker.Cli.Output;

/// <summary>
/// The SDK's log output on stderr, one line per entry (<c>broker: warn: Category: text</c>), so that stdout
/// carries only the documented JSON lines. Only Logging.Abstractions is referenced: this tiny factory avoids
/// pulling the console logger and its configuration stack into a tool.
/// </summary>
internal sealed class StderrLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    private static readonly Lock Gate = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, minimum);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>Parses a --log-level value.</summary>
    /// <param name="text">trace, debug, info, warning, error, critical or none.</param>
    /// <param name="level">The level.</param>
    /// <returns>True when known.</returns>
    public static bool TryParseLevel(string text, out LogLevel level)
    {
        switch (text.ToLowerInvariant())
        {
            case "trace": level = LogLevel.Trace; return true;
            case "debug": level = LogLevel.Debug; return true;
            case "info" or "information": level = LogLevel.Information; return true;
            case "warn" or "warning": level = LogLevel.Warning; return true;
            case "error": level = LogLevel.Error; return true;
            case "critical": level = LogLevel.Critical; return true;
            case "none" or "off": level = LogLevel.None; return true;
            default: level = LogLevel.None; return false;
        }
    }

    private sealed class StderrLogger(string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "error",
                _ => "critical",
            };
            string text = formatter(state, exception).ReplaceLineEndings(" ");
            string line = exception is null ? $"broker: {level}: {category}: {text}" : $"broker: {level}: {category}: {text}: {exception.Message.ReplaceLineEndings(" ")}";
            lock (Gate)
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
