using Broker.Data;
using Broker.Wire;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class TopologyTests
{
    [Fact]
    public async Task Line_forwards_through_the_middle_endpoint_that_subscribes()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var c = new BrokerEndpoint();
        await using var subB = b.Subscribe("/line");
        await using var subC = c.Subscribe("/line");
        await ConnectAsync(b, a);
        await ConnectAsync(c, b);
        await WaitForFilterAsync(a, "/line");
        await WaitForFilterAsync(b, "/line");

        a.Publish("/line/x", 5L);
        var atB = await subB.ReceiveAsync(Deadline);
        var atC = await subC.ReceiveAsync(Deadline);
        Assert.Equal(a.Id, atB.Sender);
        Assert.Equal(b.Id, atC.Sender); // the sender is the last hop, as in Broker
        Assert.Equal(5L, atC.Data.AsInteger());
        Assert.Equal(1, b.GetStatistics().Forwarded);
    }

    [Fact]
    public async Task Forward_entries_make_a_relay_without_a_local_subscriber()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var c = new BrokerEndpoint();
        await using var subC = c.Subscribe("/relay");
        b.Forward("/relay");
        await ConnectAsync(b, a);
        await ConnectAsync(c, b);
        await WaitForFilterAsync(a, "/relay");
        await WaitForFilterAsync(b, "/relay");
        a.Publish("/relay/1", "via b");
        Assert.Equal("via b", (await subC.ReceiveAsync(Deadline)).Data.AsString());
    }

    [Fact]
    public async Task Forwarding_can_be_turned_off()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint(new BrokerEndpointOptions { ForwardMessages = false });
        await using var c = new BrokerEndpoint();
        await using var subB = b.Subscribe("/nofwd");
        await using var subC = c.Subscribe("/nofwd");
        await ConnectAsync(b, a);
        await ConnectAsync(c, b);
        await WaitForFilterAsync(a, "/nofwd");
        await WaitForFilterAsync(b, "/nofwd");
        a.Publish("/nofwd", 1L);
        await subB.ReceiveAsync(Deadline);

        // B handled the message (delivered it) and did not re-send it.
        Assert.Equal(0, b.GetStatistics().Forwarded);
        Assert.False(subC.TryReceive(out _));
    }

    [Fact]
    public async Task Triangle_with_forwarding_cannot_circulate_a_message_forever()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var c = new BrokerEndpoint();
        var options = new SubscriberOptions { QueueSize = 1000 };
        await using var subA = a.Subscribe("/tri", options);
        await using var subB = b.Subscribe("/tri", options);
        await using var subC = c.Subscribe("/tri", options);
        await ConnectAsync(a, b);
        await ConnectAsync(b, c);
        await ConnectAsync(c, a);
        foreach (var e in new[] { a, b, c })
        {
            await WaitUntilAsync(() => e.Peers.Count == 2 && e.Peers.All(p => e.AnyPeerSubscribes("/tri")), "the triangle is complete");
        }

        await WaitUntilAsync(() => AllPeersSubscribe(a) && AllPeersSubscribe(b) && AllPeersSubscribe(c), "every filter is known");
        a.Publish("/tri", BrokerData.String("once"));

        // Broker 2.3+ never decrements the TTL, so this message would go round forever. We decrement and drop at
        // 0: each of the two copies (one per direction) makes exactly 16 hops and then ends in one TTL expiry.
        await WaitUntilAsync(() => TtlExpired(a, b, c) == 2, "both copies of the message expired");
        int delivered = subA.Count + subB.Count + subC.Count;
        Assert.Equal(2 * 16, delivered);
        Assert.Equal(2, TtlExpired(a, b, c));
    }

    private static bool AllPeersSubscribe(BrokerEndpoint e) => e.GetStatistics().Peers.Count == 2 && e.AnyPeerSubscribes("/tri");

    [Fact]
    public async Task A_forwarded_message_keeps_the_bytes_it_arrived_in()
    {
        // Like Broker, a relay forwards what it received (TTL decremented), not a re-encoding of its decoded value: an
        // unsorted set (which decoding normalises) reaches the next hop exactly as sent.
        await using var relay = new BrokerEndpoint();
        relay.Forward("/fwd");
        int port = (await relay.ListenAsync()).Port;
        await using var from = await RawPeer.HandshakeAsync(port, RawPeer.SmallId(1), "/nothing");
        await using var to = await RawPeer.HandshakeAsync(port, RawPeer.SmallId(2), "/fwd");
        await WaitUntilAsync(() => relay.PeerSubscriptions.Contains("/fwd"), "the relay learned the filter");

        byte set = (byte)BrokerDataKind.Set, count = (byte)BrokerDataKind.Count;
        byte[] unsorted = [set, 3, count, 0, 0, 0, 0, 0, 0, 0, 3, count, 0, 0, 0, 0, 0, 0, 0, 1, count, 0, 0, 0, 0, 0, 0, 0, 2];
        await from.SendEnvelopeAsync(EnvelopeType.Data, "/fwd/x", unsorted);

        var frame = await to.ReadEnvelopeAsync(EnvelopeType.Data);
        Assert.True(Envelope.TryParse(frame, out var env));
        Assert.Equal("/fwd/x"u8.ToArray(), env.Topic.ToArray());
        Assert.Equal(unsorted, env.Payload.ToArray());
        Assert.Equal(15, env.Ttl);
    }

    private static long TtlExpired(params BrokerEndpoint[] endpoints) => endpoints.Sum(e => e.GetStatistics().TtlExpired);
}
