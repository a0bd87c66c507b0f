using System.Net;
using Broker.Data;
using Broker.Sdk.Tests.TestSupport;
using Broker.Sdk.Tests.WebSockets;
using Broker.WebSockets;
using Xunit;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Our WebSocket server and client through <see cref="FaultProxy"/>: slow and 1-byte-fragmented links (including the
/// HTTP upgrade) must work; truncation, resets, duplicated and dropped bytes mid-frame cost only the affected client,
/// which reports the loss and reconnects, while the server and its other clients carry on.
/// </summary>
public sealed class WebSocketFaultTests : IAsyncLifetime
{
    private readonly BrokerEndpoint _host = new(new BrokerEndpointOptions { Name = "ws-fault-host" });
    private readonly List<IAsyncDisposable> _owned = new();
    private IPEndPoint _bound = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _bound = await _host.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(3) });
        _proxy = new FaultProxy(_bound.Port);
    }

    public async Task DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await _proxy.DisposeAsync();
        await _host.StopWebSocketsAsync();
        await _host.DisposeAsync();
    }

    private Uri Proxied => WsTestSupport.Uri(new IPEndPoint(IPAddress.Loopback, _proxy.Port));

    private async Task<BrokerWebSocketClient> ClientAsync(Uri uri, params string[] subscriptions)
    {
        var options = new BrokerWebSocketClientOptions { AckTimeout = TimeSpan.FromSeconds(3), ReconnectInterval = TimeSpan.FromMilliseconds(50) };
        var client = await BrokerWebSocketClient.ConnectAsync(uri, subscriptions, options, WsTestSupport.Timeout());
        _owned.Add(client);
        return client;
    }

    private static BrokerData Payload(int i) => BrokerData.Vector(BrokerData.Count((ulong)i), new string('w', 3000));

    [Fact]
    public async Task Delayed_and_one_byte_fragmented_links_deliver_everything_in_order_both_ways()
    {
        _proxy.OneByteWrites = true;
        _proxy.Delay = TimeSpan.FromMilliseconds(1);
        var slow = await ClientAsync(Proxied, "/f/to-slow"); // the HTTP upgrade and the ACK arrive a byte at a time
        var direct = await ClientAsync(WsTestSupport.Uri(_bound), "/f/to-direct");
        await WsTestSupport.WaitUntil(() => _host.WebSocketClientCount == 2, "both clients are registered");

        const int count = 10;
        for (int i = 0; i < count; i++)
        {
            slow.Publish("/f/to-direct", Payload(i));
            direct.Publish("/f/to-slow", Payload(i));
        }

        for (int i = 0; i < count; i++)
        {
            Assert.Equal(Payload(i), (await direct.ReceiveAsync(WsTestSupport.Timeout())).Data);
            Assert.Equal(Payload(i), (await slow.ReceiveAsync(WsTestSupport.Timeout())).Data);
        }

        Assert.Equal(0, slow.ReconnectCount);
    }

    [Theory]
    [InlineData(Fault.Truncate, true)]
    [InlineData(Fault.Truncate, false)]
    [InlineData(Fault.Reset, true)]
    [InlineData(Fault.Reset, false)]
    [InlineData(Fault.Duplicate, true)]
    [InlineData(Fault.Duplicate, false)]
    [InlineData(Fault.Drop, true)]
    [InlineData(Fault.Drop, false)]
    public async Task A_fault_mid_frame_costs_only_that_client_which_reports_and_reconnects(Fault fault, bool upstream)
    {
        await using var local = _host.Subscribe("/f/");
        var faulty = await ClientAsync(Proxied, "/f/");
        var bystander = await ClientAsync(WsTestSupport.Uri(_bound), "/f/");
        await WsTestSupport.WaitUntil(() => _host.WebSocketClientCount == 2, "both clients are registered");

        _proxy.FaultUpstream = upstream;
        _proxy.Arm(fault);

        // A large message spans several TCP chunks, so the fault lands inside a frame. Keep traffic flowing in the
        // faulted direction until the fault was applied (a dropped chunk can leave a reader waiting for more bytes).
        var big = BrokerData.String(new string('y', 200_000));
        await WsTestSupport.WaitUntil(() =>
        {
            (upstream ? faulty : (IBrokerPublisher)_host).Publish("/f/big", big);
            return !_proxy.IsArmed;
        }, "the fault was applied");

        if (fault is Fault.Truncate or Fault.Reset)
        {
            // The connection is gone: the server drops that client, the client says so and reconnects.
            var report = await faulty.ReceiveErrorAsync(WsTestSupport.Timeout());
            Assert.StartsWith("lost the connection", report.Context);
            await WsTestSupport.WaitUntil(() => faulty.ReconnectCount >= 1 && faulty.IsConnected, "the client reconnected");
        }

        // Whatever the corruption did (duplicated or lost frames, a protocol error and a reconnect), the client ends up
        // connected and exchanging messages again, and the bystander never noticed.
        await WsTestSupport.WaitUntil(() =>
        {
            faulty.Publish("/f/after", "probe");
            return Drain(local, "/f/after");
        }, "the faulted client's messages reach the host again");
        await WsTestSupport.WaitUntil(() =>
        {
            _host.Publish("/f/back", "probe");
            return Drain(faulty, "/f/back");
        }, "the host's messages reach the faulted client again");

        Assert.Equal(0, bystander.ReconnectCount);
        bystander.Publish("/f/bystander", "still here");
        await WsTestSupport.WaitUntil(() => Drain(local, "/f/bystander"), "the bystander is still served");
        await WsTestSupport.WaitUntil(() => _host.WebSocketClientCount == 2, "exactly the two clients remain");
    }

    private static bool Drain(BrokerSubscription sub, string topic)
    {
        bool seen = false;
        while (sub.TryReceive(out var m))
        {
            seen |= m.Topic == topic;
        }

        return seen;
    }

    private static bool Drain(BrokerWebSocketClient client, string topic)
    {
        bool seen = false;
        while (client.TryReceive(out var m))
        {
            seen |= m.Topic == topic;
        }

        return seen;
    }
}
