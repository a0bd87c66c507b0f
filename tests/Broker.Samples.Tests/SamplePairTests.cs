using System.Net;
using System.Net.Sockets;

namespace Broker.Samples.Tests;

/// <summary>
/// Runs every seed script pair as two OS processes on a free port and checks every line both print and both exit
/// codes: once listener first, and once connector first (the connector must keep retrying until the listener is up).
/// </summary>
public sealed class SamplePairTests
{
    public static TheoryData<string> Samples() => new(ExpectedOutput.Pairs.Keys);

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Listener_first(string sample)
    {
        var pair = ExpectedOutput.Pairs[sample];
        int port = SampleProcess.FreePort();
        await using var listener = SampleProcess.Start(sample, "listener", "--port", port.ToString());
        await WaitUntilListeningAsync(listener, port);
        await using var connector = SampleProcess.Start(sample, "connector", "--port", port.ToString());

        await ExpectRunAsync(pair, listener, connector, port);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Connector_first_keeps_retrying(string sample)
    {
        var pair = ExpectedOutput.Pairs[sample];
        int port = SampleProcess.FreePort();

        // Hold the port ourselves and reject the connector's first attempt, so it must retry to succeed.
        var gate = new TcpListener(IPAddress.Loopback, port);
        gate.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        gate.Start();
        await using var connector = SampleProcess.Start(sample, "connector", "--port", port.ToString());
        try
        {
            using var cts = new CancellationTokenSource(SampleProcess.Deadline);
            var accept = gate.AcceptSocketAsync(cts.Token).AsTask();
            if (await Task.WhenAny(accept, connector.Exited) != accept)
            {
                Assert.Fail($"The connector exited before trying to connect.{connector.Describe()}");
            }

            using var first = await accept;
            first.Close();
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The connector never tried to connect.{connector.Describe()}");
        }
        finally
        {
            gate.Stop();
        }

        await using var listener = SampleProcess.Start(sample, "listener", "--port", port.ToString());
        await ExpectRunAsync(pair, listener, connector, port);
    }

    [Theory]
    [InlineData]
    [InlineData("listener", "--port")]
    [InlineData("listener", "--port", "http")]
    [InlineData("talker")]
    [InlineData("listener", "--verbose")]
    public async Task Wrong_arguments_print_usage_and_exit_2(params string[] args)
    {
        await using var process = SampleProcess.Start("Printing", args);
        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Empty(process.Output);
        Assert.Contains("usage: Printing listener|connector [--host 127.0.0.1] [--port 9999]", process.Errors);
    }

    private static async Task ExpectRunAsync(SamplePair pair, SampleProcess listener, SampleProcess connector, int port)
    {
        await ExpectLinesAsync(listener, pair.Listener, port);
        await ExpectLinesAsync(connector, pair.Connector, port);

        Assert.True(await listener.WaitForExitAsync() == 0, $"listener exit code {listener.Describe()}");
        Assert.True(await connector.WaitForExitAsync() == 0, $"connector exit code {connector.Describe()}");
        Assert.True(listener.Output.Count == pair.Listener.Length, $"unexpected extra listener output{listener.Describe()}");
        Assert.True(connector.Output.Count == pair.Connector.Length, $"unexpected extra connector output{connector.Describe()}");
    }

    private static async Task ExpectLinesAsync(SampleProcess process, string[] expected, int port)
    {
        foreach (var line in expected)
        {
            var actual = await process.NextLineAsync();
            Assert.True(ExpectedOutput.Matches(line, actual, port), $"expected '{line}' but got '{actual}'{process.Describe()}");
        }
    }

    /// <summary>Waits until the listener process accepts connections (probing the port, with a deadline).</summary>
    private static async Task WaitUntilListeningAsync(SampleProcess listener, int port)
    {
        var deadline = DateTime.UtcNow + SampleProcess.Deadline;
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // poll interval of the wait, not a timing assumption
            }
            catch (SocketException)
            {
                Assert.Fail($"The listener never listened on {port}.{listener.Describe()}");
            }
        }
    }
}
