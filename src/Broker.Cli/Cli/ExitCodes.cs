namespace Broker.Cli;

/// <summary>The process exit codes of every command; stable and documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Any other failure (bad input lines, a rejected store operation, a lost peering, ...).</summary>
    public const int Error = 1;

    /// <summary>The command line is wrong (unknown option, missing argument, unparsable value).</summary>
    public const int Usage = 2;

    /// <summary>store get: the key does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>The operation did not complete within --timeout.</summary>
    public const int Timeout = 4;

    /// <summary>The peer could not be reached or refused the handshake.</summary>
    public const int Unreachable = 5;

    /// <summary>store: no master for the store answered (none is attached anywhere in reach).</summary>
    public const int NoMaster = 6;
}
