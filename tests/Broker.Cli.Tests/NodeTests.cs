using Broker.Cli.Tests.TestSupport;
using Broker.Data;
using Broker.Serialization.Json;
using Broker.WebSockets;

namespace Broker.Cli.Tests;

/// <summary><c>broker node</c>: outbound peers and their status/error lines, log and event kinds, the WebSocket listener.</summary>
public sealed class NodeTests
{
    [Fact]
    public async Task Node_dials_peers_prints_status_error_data_and_log_lines_and_stops_when_stdin_closes()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("zeek-like");
        await using var _ = endpoint;
        int closed = Net.ClosedPort();
        await using var node = CliProcess.Start("node", "--peer", $"127.0.0.1:{port}", "--peer", $"127.0.0.1:{closed}", "--retry", "200ms",
            "--subscribe", "zeek/logs/", "--subscribe", "bro/log/", "--subscribe", "/data", "--name", "cli-node");

        // The two peerings progress independently: take their lines in whatever order they come.
        System.Text.Json.Nodes.JsonObject? unavailable = null, added = null;
        await node.WaitForLineAsync(o =>
        {
            if ((string?)o["kind"] == "error" && (string?)o["code"] == "peer_unavailable") unavailable ??= o;
            if ((string?)o["kind"] == "status" && (string?)o["code"] == "peer_added") added ??= o;
            return unavailable is not null && added is not null;
        }, "peer_unavailable for the closed port and peer_added for ours");
        Assert.Equal(closed, (int)unavailable!["peer"]!["port"]!);
        Assert.Equal(port, (int)added!["peer"]!["port"]!);
        Assert.Equal("outbound", (string?)added["peer"]!["direction"]);
        Assert.Equal(endpoint.Id.ToString(), (string?)added["peer"]!["id"]);
        await Net.UntilAsync(() => endpoint.Peers.Count == 1, "the node's peering is established on our side");

        // Modern Zeek log write [1, 3, [stream, writer, path, serial-data]] and the seed's [stream, columns] on bro/log/.
        var logWrite = BrokerData.Vector(BrokerData.Count(1), BrokerData.Count(3),
            BrokerData.Vector(BrokerData.EnumValue("Conn::LOG"), BrokerData.EnumValue("Log::WRITER_ASCII"), BrokerData.String("conn"), BrokerData.String("\u0001\u0002")));
        var seedLog = BrokerData.Vector(BrokerData.EnumValue("Test::LOG"), BrokerData.Vector(BrokerData.Count(7), BrokerData.None));
        endpoint.Publish("zeek/logs/Conn::LOG", logWrite);
        endpoint.Publish("bro/log/Test::LOG", seedLog);
        endpoint.Publish("/data/x", BrokerData.Vector(BrokerData.String("not"), BrokerData.String("an event")));

        // Each --subscribe prefix is its own stream: lines of different prefixes may interleave in any order.
        var lines = new Dictionary<string, System.Text.Json.Nodes.JsonObject>();
        await node.WaitForLineAsync(o =>
        {
            if ((string?)o["topic"] is { } t && (string?)o["kind"] != "status" && (string?)o["kind"] != "error")
            {
                lines[t] = o;
            }

            return lines.Count == 3;
        }, "the three messages");
        var modern = lines["zeek/logs/Conn::LOG"];
        Assert.Equal(("log", "write", "Conn::LOG", "Log::WRITER_ASCII", "conn"),
            ((string?)modern["kind"], (string?)modern["log"], (string?)modern["stream"], (string?)modern["writer"], (string?)modern["path"]));
        Assert.Equal(logWrite, BrokerJson.ReadValue(modern.ToJsonString()));
        var seed = lines["bro/log/Test::LOG"];
        Assert.Equal(("log", "Test::LOG"), ((string?)seed["kind"], (string?)seed["stream"]));
        var data = lines["/data/x"];
        Assert.Equal("data", (string?)data["kind"]);

        node.CloseStdin();
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Empty(node.Stderr);
    }

    [Fact]
    public async Task The_WebSocket_listener_serves_the_JSON_API_as_the_node()
    {
        await using var node = CliProcess.Start("node", "--ws-listen", "127.0.0.1:0", "--subscribe", "/ws");
        var listening = await node.WaitForLineAsync(o => (string?)o["code"] == "listening" && (string?)o["protocol"] == "websocket", "listening websocket");
        await using var client = await BrokerWebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{(int)listening["port"]!}/v1/messages/json"), ["/ws"]);
        Assert.Equal((string?)listening["endpoint"], client.RemoteId.ToString());
        node.CloseStdin();
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public async Task WebSocket_clients_of_the_node_are_printed_and_reach_native_subscribers()
    {
        await using var node = CliProcess.Start("node", "--listen", "127.0.0.1:0", "--ws-listen", "127.0.0.1:0", "--subscribe", "/ws", "--forward");
        int native = await node.WaitForListeningPortAsync("native");
        int ws = await node.WaitForListeningPortAsync("websocket");
        await using var sub = CliProcess.Start("subscribe", "--peer", $"127.0.0.1:{native}", "--prefix", "/ws", "--count", "1", "--timeout", "30s");
        await node.WaitForStatusAsync("peer_added");

        await using var client = await BrokerWebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{ws}/v1/messages/json"), ["/ws"]);
        client.Publish("/ws/hello", BrokerData.Timespan(TimeSpan.FromMilliseconds(1500)));

        var line = await node.WaitForLineAsync(o => (string?)o["topic"] == "/ws/hello", "the WebSocket client's message");
        Assert.Equal("{\"kind\":\"data\",\"topic\":\"/ws/hello\",\"@data-type\":\"timespan\",\"data\":\"1500ms\"}", line.ToJsonString());
        Assert.Equal(0, await sub.WaitForExitAsync());
        Assert.Equal("{\"kind\":\"data\",\"topic\":\"/ws/hello\",\"@data-type\":\"timespan\",\"data\":\"1500ms\"}", Assert.Single(sub.Stdout));
    }

    [Fact]
    public async Task SIGTERM_stops_the_node_gracefully_with_exit_143()
    {
        var (endpoint, port) = await Endpoints.ListeningAsync("watcher");
        await using var _ = endpoint;
        await using var events = endpoint.SubscribeEvents();
        await using var node = CliProcess.Start("node", "--peer", $"127.0.0.1:{port}", "--ignore-stdin");
        await node.WaitForStatusAsync("peer_added");
        node.CloseStdin(); // ignored: the node keeps running

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", $"{node.ProcessId}"]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(143, await node.WaitForExitAsync());
        Assert.Empty(node.Stderr);

        // The peering ends on our side too (the node shut its endpoint down before exiting).
        using var cts = new CancellationTokenSource(CliProcess.DefaultWait);
        while (await events.ReceiveAsync(cts.Token) is not StatusEvent { Code: StatusCode.PeerRemoved or StatusCode.PeerLost })
        {
        }
    }
}
