namespace Broker.Cli.Tests.TestSupport;

/// <summary>The exit codes as documented in docs/cli.md (kept here, not borrowed from the tool, so a change breaks a test).</summary>
internal static class Exit
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Timeout = 4;
    public const int Unreachable = 5;
    public const int NoMaster = 6;
}
