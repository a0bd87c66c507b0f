using System.CommandLine;
using System.CommandLine.Parsing;
using Broker.Cli.Output;
using Microsoft.Extensions.Logging;

namespace Broker.Cli;

/// <summary>Option definitions shared by several commands, with their parsers, so every command reads them alike.</summary>
internal static class CommonOptions
{
    /// <summary>--log-level (recursive: accepted by every command).</summary>
    public static readonly Option<LogLevel> LogLevel = new("--log-level")
    {
        Description = "SDK log output on stderr: trace, debug, info, warning, error, critical, none",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Warning,
        CustomParser = r => StderrLoggerFactory.TryParseLevel(r.Tokens[^1].Value, out var level)
            ? level
            : Fail<LogLevel>(r, $"unknown log level '{r.Tokens[^1].Value}' (trace, debug, info, warning, error, critical, none)"),
        Recursive = true,
        HelpName = "level",
    };

    /// <summary>--verbose (recursive): stack traces with errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print the full exception (with stack trace) for errors",
        Recursive = true,
    };

    /// <summary>A --peer host:port option (required for one-shot commands).</summary>
    /// <param name="description">Help text.</param>
    /// <returns>The option.</returns>
    public static Option<HostPort> Peer(string description) => new("--peer")
    {
        Description = description,
        Required = true,
        HelpName = "host:port",
        CustomParser = ParseHostPort,
    };

    /// <summary>A --timeout option.</summary>
    /// <param name="description">Help text.</param>
    /// <returns>The option (null when absent: the command applies the default its description names).</returns>
    public static Option<TimeSpan?> Timeout(string description) => new("--timeout")
    {
        Description = description,
        HelpName = "duration",
        CustomParser = r => ParseDuration(r),
    };

    /// <summary>--broker-format: Broker's own lossy JSON (six-decimal reals, millisecond timestamps).</summary>
    /// <returns>The option.</returns>
    public static Option<bool> BrokerFormat() => new("--broker-format")
    {
        Description = "Print values exactly as Broker's WebSocket API does (reals with 6 decimals, timestamps in ms) instead of full precision",
    };

    /// <summary>Parses host:port tokens.</summary>
    /// <param name="r">The argument result.</param>
    /// <returns>The value.</returns>
    public static HostPort ParseHostPort(ArgumentResult r) =>
        HostPort.TryParse(r.Tokens[^1].Value, out var value, out var error) ? value : Fail<HostPort>(r, error!);

    /// <summary>Parses a duration token.</summary>
    /// <param name="r">The argument result.</param>
    /// <returns>The value.</returns>
    public static TimeSpan ParseDuration(ArgumentResult r) =>
        Durations.TryParse(r.Tokens[^1].Value, out var value)
            ? value
            : Fail<TimeSpan>(r, $"'{r.Tokens[^1].Value}' is not a duration (e.g. 500ms, 10s, 2min, 1h)");

    private static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }
}
