using Broker.Data;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class PubSubTests
{
    [Fact]
    public async Task Two_endpoints_peer_and_deliver_published_data()
    {
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { Name = "a" });
        await using var b = new BrokerEndpoint(new BrokerEndpointOptions { Name = "b" });
        await using var sub = b.Subscribe("/test");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/test/x");

        a.Publish("/test/x", BrokerData.Count(42));
        a.Publish("/other", BrokerData.Count(1));
        a.Publish("/test/y", Event2(7));

        var first = await sub.ReceiveAsync(Deadline);
        Assert.Equal("/test/x", first.Topic);
        Assert.Equal(42UL, first.Data.AsCount());
        Assert.Equal(a.Id, first.Sender);
        var second = await sub.ReceiveAsync(Deadline);
        Assert.Equal("/test/y", second.Topic);
        Assert.True(Zeek.ZeekEvent.TryDecode(second.Data, out var ev));
        Assert.Equal("ping", ev!.Name);
        Assert.Equal(7UL, ev.Arguments[0].AsCount());
    }

    [Fact]
    public async Task Subscriptions_made_after_peering_are_advertised_with_a_routing_update()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await ConnectAsync(a, b);
        Assert.False(a.AnyPeerSubscribes("/late/x"));
        await using var sub = b.Subscribe("/late");
        await WaitForFilterAsync(a, "/late/x");
        a.Publish("/late/x", "hello");
        var m = await sub.ReceiveAsync(Deadline);
        Assert.Equal("hello", m.Data.AsString());

        // And the other direction: the listener subscribes, the dialer publishes.
        await using var subA = a.Subscribe("/to-a");
        await WaitForFilterAsync(b, "/to-a");
        b.Publish("/to-a", 3L);
        Assert.Equal(3L, (await subA.ReceiveAsync(Deadline)).Data.AsInteger());
    }

    [Fact]
    public async Task Many_messages_arrive_in_order()
    {
        // A burst larger than the default peer buffer: give the publisher room so nothing is dropped.
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 100_000 });
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/bulk", new SubscriberOptions { QueueSize = 100_000 });
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/bulk");
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            a.Publish("/bulk", Event2(i));
        }

        for (int i = 0; i < n; i++)
        {
            var m = await sub.ReceiveAsync(Deadline);
            Assert.True(Zeek.ZeekEvent.TryDecode(m.Data, out var ev));
            Assert.Equal((ulong)i, ev!.Arguments[0].AsCount());
        }
    }
}
