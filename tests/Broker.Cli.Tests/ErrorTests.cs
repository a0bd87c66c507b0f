using Broker.Cli.Tests.TestSupport;

namespace Broker.Cli.Tests;

/// <summary>Unreachable and silent peers, usage errors and --help: the documented exit codes and one-line errors.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task An_unreachable_peer_is_exit_5_with_one_line_and_a_stack_trace_only_with_verbose()
    {
        string peer = $"127.0.0.1:{Net.ClosedPort()}";
        var runs = new[]
        {
            CliProcess.RunAsync("1\n", "publish", "--peer", peer, "--topic", "/t"),
            CliProcess.RunAsync(null, "subscribe", "--peer", peer, "--prefix", "/t"),
            CliProcess.RunAsync(null, "store", "get", "--peer", peer, "--store", "s", "\"k\""),
            CliProcess.RunAsync(null, "store", "keys", "--peer", peer, "--store", "s", "--verbose"),
        };
        var results = await Task.WhenAll(runs);

        foreach (var r in results[..3])
        {
            Assert.True(r.ExitCode == Exit.Unreachable, r.ToString());
            Assert.Contains($"cannot peer with {peer}: peer_unavailable", Assert.Single(r.Stderr));
        }

        Assert.Equal(Exit.Unreachable, results[3].ExitCode);
        Assert.Contains("   at ", results[3].ErrorText);
    }

    [Fact]
    public async Task Log_level_debug_adds_sdk_log_lines_on_stderr_and_nothing_on_stdout()
    {
        string peer = $"127.0.0.1:{Net.ClosedPort()}";
        var r = await CliProcess.RunAsync(null, "subscribe", "--peer", peer, "--prefix", "/t", "--log-level", "debug");
        Assert.Equal(Exit.Unreachable, r.ExitCode);
        Assert.Empty(r.Stdout);
        Assert.Contains(r.Stderr, l => l.StartsWith("broker: debug: ", StringComparison.Ordinal));
        Assert.Contains(r.Stderr, l => l.StartsWith("broker subscribe: cannot peer with", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_that_never_answers_the_handshake_is_a_timeout()
    {
        var silent = Net.SilentListener();
        try
        {
            string peer = $"127.0.0.1:{silent.Port()}";
            var results = await Task.WhenAll(
                CliProcess.RunAsync("1\n", "publish", "--peer", peer, "--topic", "/t", "--timeout", "500ms"),
                CliProcess.RunAsync(null, "subscribe", "--peer", peer, "--prefix", "/t", "--count", "1", "--timeout", "500ms"),
                CliProcess.RunAsync(null, "store", "size", "--peer", peer, "--store", "s", "--timeout", "500ms"));
            foreach (var r in results)
            {
                Assert.True(r.ExitCode == Exit.Timeout, r.ToString());
                Assert.Contains($"timed out after 500ms peering with {peer}", Assert.Single(r.Stderr));
            }
        }
        finally
        {
            silent.Stop();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("publish --topic /t")]
    [InlineData("publish --peer nonsense --topic /t")]
    [InlineData("publish --peer 127.0.0.1:99999 --topic /t")]
    [InlineData("publish --peer 127.0.0.1:1 --topic bad<$>topic")]
    [InlineData("subscribe --peer 127.0.0.1:1")]
    [InlineData("subscribe --peer 127.0.0.1:1 --prefix /a --count 0")]
    [InlineData("subscribe --peer 127.0.0.1:1 --prefix /a --timeout soon")]
    [InlineData("node --listen 127.0.0.1:0 --bogus")]
    [InlineData("node --log-level loud")]
    [InlineData("node --listen localhost:0")]
    [InlineData("store put --peer 127.0.0.1:1 --store s \"k\"")]
    [InlineData("store get --peer 127.0.0.1:1 --store s --via carrier-pigeon 1")]
    public async Task Usage_errors_are_exit_2_with_one_line(string commandLine)
    {
        var r = await CliProcess.RunAsync(null, commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(r.ExitCode == Exit.Usage, r.ToString());
        Assert.StartsWith("broker", Assert.Single(r.Stderr));
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("node --help")]
    [InlineData("publish --help")]
    [InlineData("subscribe -h")]
    [InlineData("store --help")]
    [InlineData("store get --help")]
    [InlineData("store put --help")]
    [InlineData("store erase --help")]
    [InlineData("store keys --help")]
    [InlineData("store size --help")]
    public async Task Every_command_has_help_with_log_level(string commandLine)
    {
        var r = await CliProcess.RunAsync(null, commandLine.Split(' '));
        Assert.True(r.ExitCode == 0, r.ToString());
        string text = string.Join('\n', r.Stdout);
        Assert.Contains("Usage:", text);
        Assert.Contains("--log-level", text);
    }
}
