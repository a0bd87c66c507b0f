namespace Broker.Cli;

/// <summary>A failure the command reports as one line on stderr with a specific exit code.</summary>
/// <param name="exitCode">One of <see cref="ExitCodes"/>.</param>
/// <param name="message">The line to print (without the <c>broker &lt;command&gt;:</c> prefix).</param>
/// <param name="inner">The cause, shown only with --verbose.</param>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
