using System.CommandLine;
using Broker.Cli.Output;
using Broker.Errors;
using Broker.Serialization.Json;
using Broker.Stores;
using Microsoft.Extensions.Logging;

namespace Broker.Cli;

/// <summary>What a command body gets: parsed settings, stdout writer, logger factory.</summary>
/// <param name="Name">The command path for messages, e.g. <c>store get</c>.</param>
/// <param name="Parse">The parse result.</param>
/// <param name="Output">The stdout JSON-lines writer.</param>
/// <param name="Loggers">Logger factory writing to stderr.</param>
internal sealed record CommandContext(string Name, ParseResult Parse, JsonLines Output, ILoggerFactory Loggers)
{
    /// <summary>Prints one line on stderr, prefixed with the command.</summary>
    /// <param name="message">The text.</param>
    public void Error(string message) => Console.Error.WriteLine($"broker {Name}: {message.ReplaceLineEndings(" ")}");
}

/// <summary>
/// Runs a command body and turns every failure into one stderr line and an exit code (docs/cli.md, "Exit codes"):
/// nothing but <c>--verbose</c> prints a stack trace.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Installs <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="name">The command path for messages.</param>
    /// <param name="body">The body; returns the exit code.</param>
    /// <param name="brokerFormat">The command's --broker-format option, if it has one.</param>
    public static void SetBody(Command command, string name, Func<CommandContext, CancellationToken, Task<int>> body, Option<bool>? brokerFormat = null) =>
        command.SetAction(async (parse, ct) =>
        {
            bool verbose = parse.GetValue(CommonOptions.Verbose);
            var json = brokerFormat is not null && parse.GetValue(brokerFormat) ? BrokerJsonOptions.Default : new BrokerJsonOptions { FullPrecision = true };
            using var loggers = new StderrLoggerFactory(parse.GetValue(CommonOptions.LogLevel));
            var context = new CommandContext(name, parse, new JsonLines(Console.OpenStandardOutput(), json), loggers);
            try
            {
                return await body(context, ct).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var (code, message) = Describe(ex);
                context.Error(verbose ? ex.ToString() : message);
                return code;
            }
        });

    /// <summary>Maps an exception to its exit code and one-line message.</summary>
    /// <param name="ex">The exception.</param>
    /// <returns>The code and message.</returns>
    public static (int Code, string Message) Describe(Exception ex) => ex switch
    {
        CliException c => (c.ExitCode, c.Message),
        StoreTimeoutException t => (ExitCodes.Timeout, t.Message),
        StoreException { Code: BrokerErrorCode.NoSuchKey } s => (ExitCodes.NotFound, s.Message),
        StoreException { Code: BrokerErrorCode.NoSuchMaster } s => (ExitCodes.NoMaster, s.Message),
        StoreException { Code: BrokerErrorCode.RequestTimeout } s => (ExitCodes.Timeout, s.Message),
        StoreException s => (ExitCodes.Error, s.Message),
        InvalidTopicException t => (ExitCodes.Usage, t.Message),
        BrokerException b => (ExitCodes.Error, $"{b.Code.Name()}: {b.Message}"),
        OperationCanceledException => (ExitCodes.Error, "interrupted"),
        _ => (ExitCodes.Error, $"{ex.GetType().Name}: {ex.Message}"),
    };
}
