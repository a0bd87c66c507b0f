using Broker.Cli.Tests.TestSupport;
using Broker.Data;

namespace Broker.Cli.Tests;

/// <summary><c>broker publish</c> against an in-test endpoint: bad lines, replayed output lines, exit codes.</summary>
public sealed class PublishTests
{
    [Fact]
    public async Task Bad_lines_are_reported_with_their_number_and_the_rest_is_published()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("sink");
        await using var _ = endpoint;
        await using var sub = endpoint.Subscribe("/bad");
        const string input = "1\nnope\n{\"@data-type\":\"count\",\"data\":-1}\n2\n{\"@data-type\":\"count\"\n\"\n3\n";
        var result = await CliProcess.RunAsync(input, "publish", "--peer", $"127.0.0.1:{port}", "--topic", "/bad/x");

        Assert.Equal(Exit.Error, result.ExitCode);
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 2: ", StringComparison.Ordinal) && l.Contains("quote strings"));
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 3: invalid value object", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 5: ", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 6: ", StringComparison.Ordinal));
        Assert.Contains("published 3 values, rejected 4 lines", result.ErrorText);
        Assert.DoesNotContain("   at ", result.ErrorText);

        using var cts = new CancellationTokenSource(CliProcess.DefaultWait);
        foreach (ulong expected in new ulong[] { 1, 2, 3 })
        {
            var m = await sub.ReceiveAsync(cts.Token);
            Assert.Equal("/bad/x", m.Topic);
            Assert.Equal(BrokerData.Count(expected), m.Data);
        }
    }

    [Fact]
    public async Task Without_a_topic_each_line_names_its_own_as_node_and_subscribe_print_it()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("sink");
        await using var _ = endpoint;
        await using var sub = endpoint.Subscribe("/replay");
        const string input = """
            {"kind":"data","topic":"/replay/a","@data-type":"count","data":1}
            {"kind":"event","topic":"/replay/b","name":"ping","args":[],"@data-type":"string","data":"s"}
            {"@data-type":"count","data":2}
            "no topic either"
            {"kind":"data","topic":"bad topic","@data-type":"count","data":3}
            """;
        var result = await CliProcess.RunAsync(input + "\n", "publish", "--peer", $"127.0.0.1:{port}");

        Assert.Equal(Exit.Error, result.ExitCode);
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 3: no --topic", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 4: no --topic", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("broker publish: line 5: ", StringComparison.Ordinal));

        using var cts = new CancellationTokenSource(CliProcess.DefaultWait);
        var first = await sub.ReceiveAsync(cts.Token);
        var second = await sub.ReceiveAsync(cts.Token);
        Assert.Equal(("/replay/a", BrokerData.Count(1)), (first.Topic, first.Data));
        Assert.Equal(("/replay/b", BrokerData.String("s")), (second.Topic, second.Data));
    }

    [Fact]
    public async Task A_clean_run_exits_zero_with_empty_stdout_and_stderr()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("sink");
        await using var _ = endpoint;
        await using var sub = endpoint.Subscribe("/ok");
        var result = await CliProcess.RunAsync("\"a\"\n\"b\"\n", "publish", "--peer", $"127.0.0.1:{port}", "-t", "/ok");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Empty(result.Stderr);
        using var cts = new CancellationTokenSource(CliProcess.DefaultWait);
        Assert.Equal(BrokerData.String("a"), (await sub.ReceiveAsync(cts.Token)).Data);
        Assert.Equal(BrokerData.String("b"), (await sub.ReceiveAsync(cts.Token)).Data);
    }
}
