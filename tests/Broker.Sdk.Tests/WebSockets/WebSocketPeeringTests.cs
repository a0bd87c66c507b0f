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

/// <summary>A contract shaped like the generator's output (its dispatch table written by hand).</summary>
public interface IPingEvents
{
    void Ping(string message, ulong count);

    static readonly Broker.Typed.EventContract<IPingEvents> BrokerContract = new(
        "IPingEvents", ["bro/event/"], ["ping"],
        static (handler, ev) =>
        {
            if (ev.Name != "ping") return Broker.Typed.EventDispatch.NotDeclared;
            handler.Ping(ev.Arguments[0].AsString(), ev.Arguments[1].AsCount());
            return Broker.Typed.EventDispatch.Handled;
        });
}

public sealed class TypedEventsOverWebSocketTests
{
    private sealed class Recorder : IPingEvents
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        public void Ping(string message, ulong count) => Calls.Enqueue($"{message}:{count}");
    }

    [Fact]
    public async Task Typed_handlers_run_over_a_websocket_client()
    {
        await using var host = new BrokerEndpoint();
        var bound = await host.ListenWebSocketAsync();
        await using var receiver = await BrokerWebSocketClient.ConnectAsync(WsTestSupport.Uri(bound), [.. IPingEvents.BrokerContract.SubscriptionPrefixes], null, WsTestSupport.Timeout());
        await using var sender = await BrokerWebSocketClient.ConnectAsync(WsTestSupport.Uri(bound), [], null, WsTestSupport.Timeout());
        var recorder = new Recorder();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var loop = receiver.DispatchEventsAsync(IPingEvents.BrokerContract, recorder, (_, why) => errors.Enqueue(why), stop.Token);

        IBrokerPublisher publisher = sender;
        publisher.Publish("bro/event/ping", new Broker.Zeek.ZeekEvent("ping", BrokerData.String("hi"), BrokerData.Count(1)).ToData());
        publisher.Publish("bro/event/pong", new Broker.Zeek.ZeekEvent("pong").ToData());
        publisher.Publish("bro/event/raw", 5UL);
        host.Publish("bro/event/ping", new Broker.Zeek.ZeekEvent("ping", BrokerData.String("from host"), BrokerData.Count(2)).ToData());

        await WsTestSupport.WaitUntil(() => recorder.Calls.Count == 2 && errors.Count == 2, "two events handled, two reported");
        // The host's publish and the other client's travel different paths, so only the set is deterministic.
        Assert.Equal(["from host:2", "hi:1"], recorder.Calls.Order(StringComparer.Ordinal));
        Assert.Equal(["event 'pong' is not declared by IPingEvents", "not a Zeek event"], errors);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }
}
