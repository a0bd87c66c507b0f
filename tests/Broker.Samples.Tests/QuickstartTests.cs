namespace Broker.Samples.Tests;

/// <summary>The quickstart tour runs as its own process, prints every step and exits 0 within the deadline.</summary>
public sealed class QuickstartTests
{
    // Placeholder: <port> the hub's ephemeral port. The hub reports the sensor by its name (docs/peering.md, "Peer names").
    private static readonly string[] Tour =
    [
        "Broker.Sdk quickstart",
        "[1] hub listening on 127.0.0.1:<port>",
        "[1] sensor peered with the hub at 127.0.0.1:<port>",
        "[1] hub saw inbound peer sensor",
        "[2] hub handled event port_scan(10.0.0.7, 42) from topic demo/alerts/port_scan",
        "[3] hub received log record [host=10.0.0.7, port=443, service=tls] on bro/log/Demo::CONN",
        "[4] sensor attached a clone of 'inventory'",
        "[4] clone lookup 10.0.0.7 -> {http, tls}",
        "[4] master lookup scans -> 2",
        "[4] master size -> 2",
        "[5] sensor shut down; hub saw peer sensor go away",
        "done",
    ];

    [Fact]
    public async Task Quickstart_tours_everything_and_exits_0()
    {
        await using var process = SampleProcess.Start("Quickstart");
        Assert.True(await process.WaitForExitAsync() == 0, $"exit code{process.Describe()}");

        var output = process.Output;
        Assert.True(output.Count == Tour.Length, $"expected {Tour.Length} lines{process.Describe()}");
        var port = System.Text.RegularExpressions.Regex.Match(output[1], @":(\d+)$").Groups[1].Value;
        for (int i = 0; i < Tour.Length; i++)
        {
            Assert.True(
                ExpectedOutput.Matches(Tour[i], output[i], int.TryParse(port, out var p) ? p : -1),
                $"line {i + 1}: expected '{Tour[i]}' but got '{output[i]}'{process.Describe()}");
        }
    }
}
