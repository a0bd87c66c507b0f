using System.Net;
using System.Text;
using Broker.Cli.Tests.TestSupport;
using Broker.Data;
using Broker.Serialization.Json;
using Broker.Zeek;

namespace Broker.Cli.Tests;

/// <summary>node ↔ publish ↔ subscribe, each a separate process, for every Broker data type.</summary>
public sealed class RoundTripTests
{
    private static readonly BrokerJsonOptions Full = new() { FullPrecision = true };

    /// <summary>One value of every kind, including the edges a lossy format would break.</summary>
    internal static BrokerData[] EveryType() =>
    [
        BrokerData.None,
        BrokerData.Boolean(true),
        BrokerData.Boolean(false),
        BrokerData.Count(0),
        BrokerData.Count(ulong.MaxValue),
        BrokerData.Integer(long.MinValue),
        BrokerData.Integer(-7),
        BrokerData.Real(Math.PI),
        BrokerData.Real(-0.1),
        BrokerData.Real(1e-300),
        BrokerData.String("hello"),
        BrokerData.String("esc \"q\" \\ \n\t ä 🎉 end"),
        BrokerData.String(""),
        BrokerData.Address(IPAddress.Parse("192.168.1.2")),
        BrokerData.Address(IPAddress.Parse("2001:db8::ff00:42:8329")),
        BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 8),
        BrokerData.Subnet(IPAddress.Parse("2001:db8::"), 32),
        BrokerData.Port(80, PortProtocol.Tcp),
        BrokerData.Port(53, PortProtocol.Udp),
        BrokerData.Port(8, PortProtocol.Icmp),
        BrokerData.Port(0, PortProtocol.Unknown),
        BrokerData.Timestamp(1_700_000_000_123_456_789),
        BrokerData.Timestamp(-1_500_000_000),
        BrokerData.Timespan(1_500_000_000),
        BrokerData.Timespan(-42),
        BrokerData.EnumValue("Conn::LOG"),
        BrokerData.Vector(BrokerData.Count(1), BrokerData.String("a"), BrokerData.Vector()),
        BrokerData.Set(BrokerData.Count(3), BrokerData.Count(1), BrokerData.String("x")),
        BrokerData.Table((BrokerData.String("k"), BrokerData.Count(1)), (BrokerData.Count(2), BrokerData.Set())),
        new ZeekEvent("ping", BrokerData.String("hi"), BrokerData.Count(3)).ToData(),
    ];

    [Fact]
    public async Task Every_data_type_goes_publish_to_node_to_subscribe_unchanged()
    {
        var values = EveryType();
        await using var node = CliProcess.Start("node", "--listen", "127.0.0.1:0", "--subscribe", "/cli", "--forward");
        int port = await node.WaitForListeningPortAsync();
        await using var sub = CliProcess.Start("subscribe", "--peer", $"127.0.0.1:{port}", "--prefix", "/cli", "--count", $"{values.Length}", "--timeout", "30s");
        await node.WaitForStatusAsync("peer_added");

        var input = new StringBuilder();
        foreach (var v in values)
        {
            input.Append(BrokerJson.ToJson(v, Full)).Append('\n');
        }

        var pub = await CliProcess.RunAsync(input.ToString(), "publish", "--peer", $"127.0.0.1:{port}", "--topic", "/cli/values");
        Assert.True(pub.ExitCode == 0, pub.ToString());
        Assert.Empty(pub.Stdout);

        Assert.Equal(0, await sub.WaitForExitAsync());
        var received = sub.Stdout.Select(Decode).ToList();
        Assert.Equal(values.Length, received.Count);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal("/cli/values", received[i].Topic);
            Assert.True(values[i] == received[i].Data, $"value {i}: sent {values[i]}, got {received[i].Data}");
        }

        // The node printed the same values in the same format.
        for (int i = 0; i < values.Length; i++)
        {
            var line = await node.WaitForLineAsync(o => (string?)o["topic"] == "/cli/values", $"value {i}");
            Assert.True(values[i] == BrokerJson.ReadValue(line.ToJsonString()), $"node value {i}");
        }

        node.CloseStdin();
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public async Task Short_forms_publish_strings_counts_and_zeek_events()
    {
        await using var node = CliProcess.Start("node", "--listen", "127.0.0.1:0", "--subscribe", "/short");
        int port = await node.WaitForListeningPortAsync();
        const string input = """
            "text"
            42
            -3
            1.5
            true
            null
            [1, "a", [true]]
            # comments and blank lines are skipped

            ping("x", 2, [1], {"@data-type":"port","data":"80/tcp"})
            Foo::bar()
            """;
        var pub = await CliProcess.RunAsync(input + "\n", "publish", "--peer", $"127.0.0.1:{port}", "--topic", "/short");
        Assert.True(pub.ExitCode == 0, pub.ToString());

        BrokerData[] expected =
        [
            BrokerData.String("text"), BrokerData.Count(42), BrokerData.Integer(-3), BrokerData.Real(1.5), BrokerData.Boolean(true), BrokerData.None,
            BrokerData.Vector(BrokerData.Count(1), BrokerData.String("a"), BrokerData.Vector(BrokerData.Boolean(true))),
            new ZeekEvent("ping", BrokerData.String("x"), BrokerData.Count(2), BrokerData.Vector(BrokerData.Count(1)), BrokerData.Port(80, PortProtocol.Tcp)).ToData(),
            new ZeekEvent("Foo::bar").ToData(),
        ];
        var lines = new List<System.Text.Json.Nodes.JsonObject>();
        foreach (var _ in expected)
        {
            lines.Add(await node.WaitForLineAsync(o => (string?)o["topic"] == "/short", "a /short message"));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == BrokerJson.ReadValue(lines[i].ToJsonString()), $"line {i}: {lines[i].ToJsonString()}");
        }

        Assert.Equal("data", (string?)lines[0]["kind"]);
        Assert.Equal("event", (string?)lines[7]["kind"]);
        Assert.Equal("ping", (string?)lines[7]["name"]);
        Assert.Equal(4, lines[7]["args"]!.AsArray().Count);
        Assert.Equal("count", (string?)lines[7]["args"]![1]!["@data-type"]);
        Assert.Equal("Foo::bar", (string?)lines[8]["name"]);
        Assert.Empty(lines[8]["args"]!.AsArray());
        node.CloseStdin();
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    internal static (string? Topic, BrokerData Data) Decode(string line) => BrokerJson.ReadDataMessage(Encoding.UTF8.GetBytes(line));
}
