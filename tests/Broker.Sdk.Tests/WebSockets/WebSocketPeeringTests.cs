using Broker.Data;
using Broker.WebSockets;
using static Broker.Sdk.Tests.WebSockets.WsTestSupport;

namespace Broker.Sdk.Tests.WebSockets;

/// <summary>WebSocket clients as lightweight peers of an endpoint that also peers natively over TCP.</summary>
public sealed class WebSocketPeeringTests
{
    [Fact]
    public async Task Client_messages_reach_local_subscribers_and_native_peers_and_back()
    {
        await using var host = new BrokerEndpoint(new BrokerEndpointOptions { Name = "host" });
        await using var native = new BrokerEndpoint(new BrokerEndpointOptions { Name = "native" });
        var nativePort = await host.ListenAsync("127.0.0.1", 0);
        var wsBound = await host.ListenWebSocketAsync();
        await using var hostSub = host.Subscribe("/host/");
        await using var nativeSub = native.Subscribe("/nat/");
        await native.PeerAsync("127.0.0.1", nativePort.Port, cancellationToken: Timeout());

        await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(wsBound), ["/ws/"], null, Timeout());
        var session = Assert.Single(host.WebSocketHub.Snapshot());

        // Client -> host's local subscriber (sender: the client's id as a lightweight peer).
        client.Publish("/host/hello", 1UL);
        var atHost = await hostSub.ReceiveAsync(Timeout());
        Assert.Equal(("/host/hello", BrokerData.Count(1), session.Id), (atHost.Topic, atHost.Data, atHost.Sender));

        // Client -> matching native peer.
        await WaitUntil(() => host.AnyPeerSubscribes("/nat/x"), "host learns the native peer's filter");
        client.Publish("/nat/x", "to native");
        var atNative = await nativeSub.ReceiveAsync(Timeout());
        Assert.Equal(("/nat/x", "to native"), (atNative.Topic, atNative.Data.AsString()));

        // Native peer -> client: the client's subscription is advertised by the host.
        await WaitUntil(() => native.AnyPeerSubscribes("/ws/from-native"), "native peer learns the client's subscription");
        native.Publish("/ws/from-native", 2UL);
        var fromNative = await client.ReceiveAsync(Timeout());
        Assert.Equal(("/ws/from-native", BrokerData.Count(2)), (fromNative.Topic, fromNative.Data));

        // Host's own publish -> client.
        host.Publish("/ws/from-host", 3UL);
        var fromHost = await client.ReceiveAsync(Timeout());
        Assert.Equal(("/ws/from-host", BrokerData.Count(3)), (fromHost.Topic, fromHost.Data));

        // A client's message on its own subscription never echoes back; the host subscriber-less topic is fine.
        client.Publish("/ws/echo?", 4UL);
        host.Publish("/ws/after", 5UL);
        Assert.Equal("/ws/after", (await client.ReceiveAsync(Timeout())).Topic);
    }

    [Fact]
    public async Task Shutdown_disconnects_websocket_clients()
    {
        var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(bound), [], null, Timeout());
        await host.DisposeAsync();
        await WaitUntil(() => !client.IsConnected, "client sees the shutdown");
    }

    [Fact]
    public async Task Typed_publishers_work_over_either_transport()
    {
        await using var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        await using var sub = host.Subscribe("bro/event/");
        await using var client = await BrokerWebSocketClient.ConnectAsync(Uri(bound), [], null, Timeout());

        // What generated publishers do: encode a Zeek event and publish through IBrokerPublisher.
        static void Ping(IBrokerPublisher publisher, string msg, ulong n) =>
            publisher.Publish("bro/event/ping", new Broker.Zeek.ZeekEvent("ping", BrokerData.String(msg), BrokerData.Count(n)).ToData());

        Ping(client, "over websocket", 7);
        var got = await sub.ReceiveAsync(Timeout());
        Assert.True(Broker.Zeek.ZeekEvent.TryDecode(got.Data, out var ev));
        Assert.Equal("ping", ev!.Name);
        Assert.Equal("(over websocket, 7)", BrokerData.Vector(ev.Arguments).ToString());
    }
}
