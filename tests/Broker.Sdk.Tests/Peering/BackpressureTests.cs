using Broker.Data;
using Broker.Peering;
using Broker.Serialization;
using Broker.Wire;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class BackpressureTests
{
    [Theory]
    [InlineData(OverflowPolicy.DropOldest, new ulong[] { 3, 4, 5 })]
    [InlineData(OverflowPolicy.DropNewest, new ulong[] { 1, 2, 3 })]
    public void Peer_outbox_policies_drop_the_right_frames(OverflowPolicy policy, ulong[] kept)
    {
        var outbox = new PeerOutbox(3, policy);
        for (ulong i = 1; i <= 5; i++)
        {
            var r = outbox.EnqueueData(DataFrame(i));
            Assert.Equal(i <= 3 ? EnqueueResult.Queued : policy == OverflowPolicy.DropOldest ? EnqueueResult.DroppedOldest : EnqueueResult.DroppedNewest, r);
        }

        // Control frames are never dropped by the data bound.
        Assert.True(outbox.EnqueueControl(new OutboundFrame(EnvelopeType.Pong, FrameArena.RawFrame(EndpointId.Nil, EndpointId.Nil, EnvelopeType.Pong, 16, "<$>", [1]))));
        Assert.Equal(2, outbox.DroppedCount);
        var control = new Queue<OutboundFrame>();
        var data = new Queue<OutboundFrame>();
        outbox.TakeAll(ref control, ref data);
        Assert.Single(control);
        Assert.Equal(kept, data.Select(f => CountOf(f)));
    }

    private static OutboundFrame DataFrame(ulong value) =>
        new(EnvelopeType.Data, FrameArena.DataFrame(EndpointId.Nil, EndpointId.Nil, 16, "/t", BrokerData.Count(value)));

    private static ulong CountOf(OutboundFrame frame)
    {
        Assert.True(Envelope.TryParse(frame.Bytes.Span[4..], out var envelope));
        return BrokerBinary.Decode(envelope.Payload).AsCount();
    }

    [Fact]
    public void Disconnect_policy_reports_overflow_instead_of_dropping()
    {
        var outbox = new PeerOutbox(1, OverflowPolicy.Disconnect);
        Assert.Equal(EnqueueResult.Queued, outbox.EnqueueData(DataFrame(1)));
        Assert.Equal(EnqueueResult.Overflow, outbox.EnqueueData(DataFrame(2)));
        outbox.Complete();
        Assert.Equal(EnqueueResult.Closed, outbox.EnqueueData(DataFrame(3)));
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest)]
    [InlineData(OverflowPolicy.DropNewest)]
    public async Task A_stalled_peer_costs_bounded_memory_and_never_blocks_the_others(OverflowPolicy policy)
    {
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 8, PeerOverflowPolicy = policy });
        await using var healthy = new BrokerEndpoint();
        await using var sub = healthy.Subscribe("/big", new SubscriberOptions { QueueSize = 10_000 });
        int port = await ConnectAsync(a, healthy);
        await using var stalled = await RawPeer.HandshakeAsync(port, RawPeer.SmallId(0x50), "/big"); // never reads
        await WaitUntilAsync(() => a.Peers.Count == 2, "A has both peers");
        await WaitForFilterAsync(a, "/big");

        var big = BrokerData.String(new string('x', 256 * 1024));
        int n = 200; // 50 MiB: far more than the socket buffers of the stalled peer hold
        for (int i = 0; i < n; i++)
        {
            a.Publish("/big", big);
            if (i % 8 == 7)
            {
                // Let the healthy peer's writer keep up: it has the same small buffer.
                await WaitUntilAsync(() => sub.Count >= i - 7, "the healthy peer keeps receiving");
            }
        }

        await WaitUntilAsync(() => sub.Count + sub.DroppedCount >= n - 8, "the healthy peer got (almost) everything");
        var stalledStats = a.GetStatistics().Peers.Single(p => p.Peer.Id == stalled.Id);
        Assert.True(stalledStats.Dropped > 0, "the stalled peer's queue dropped messages");
        Assert.True(stalledStats.QueueDepth <= 8, $"queue depth {stalledStats.QueueDepth} exceeds the bound");
        Assert.Equal(2, a.Peers.Count);
    }

    [Fact]
    public async Task Disconnect_policy_closes_a_stalled_peer_and_reports_it()
    {
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 4, PeerOverflowPolicy = OverflowPolicy.Disconnect });
        await using var events = a.SubscribeEvents();
        int port = (await a.ListenAsync()).Port;
        await using var stalled = await RawPeer.HandshakeAsync(port, RawPeer.SmallId(0x51), "/big");
        await WaitUntilAsync(() => a.Peers.Count == 1, "A has the peer");
        var big = BrokerData.String(new string('x', 256 * 1024));
        await WaitUntilAsync(
            () =>
            {
                a.Publish("/big", big);
                return a.Peers.Count == 0;
            },
            "the stalled peer was disconnected");
        var error = await events.NextAsync<ErrorEvent>();
        Assert.Contains("overflowed", error.Message);
        var removed = await events.StatusAsync(StatusCode.PeerRemoved);
        Assert.Contains("overflow", removed.Message);
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest, new long[] { 4, 5 })]
    [InlineData(OverflowPolicy.DropNewest, new long[] { 1, 2 })]
    public async Task Subscriber_queue_policies(OverflowPolicy policy, long[] kept)
    {
        await using var a = new BrokerEndpoint();
        await using var slow = a.Subscribe("/s", new SubscriberOptions { QueueSize = 2, OverflowPolicy = policy });
        await using var other = a.Subscribe("/s", new SubscriberOptions { QueueSize = 10 });
        for (long i = 1; i <= 5; i++)
        {
            a.Publish("/s", i, SendFlags.Self);
        }

        Assert.Equal(3, slow.DroppedCount);
        long first = (await slow.ReceiveAsync(Deadline)).Data.AsInteger();
        long second = (await slow.ReceiveAsync(Deadline)).Data.AsInteger();
        Assert.Equal(kept, new[] { first, second });
        Assert.Equal(5, other.Count); // a slow subscriber does not affect the others
    }

    [Fact]
    public async Task Subscriber_disconnect_policy_ends_the_stream_with_an_error()
    {
        await using var a = new BrokerEndpoint();
        await using var events = a.SubscribeEvents();
        var slow = a.Subscribe("/s", new SubscriberOptions { QueueSize = 1, OverflowPolicy = OverflowPolicy.Disconnect });
        a.Publish("/s", 1L, SendFlags.Self);
        a.Publish("/s", 2L, SendFlags.Self);
        Assert.Equal(1L, (await slow.ReceiveAsync(Deadline)).Data.AsInteger());
        await Assert.ThrowsAnyAsync<Exception>(async () => await slow.ReceiveAsync(Deadline));
        Assert.Contains("overflowed", (await events.NextAsync<ErrorEvent>()).Message);
        a.Publish("/s", 3L, SendFlags.Self); // no longer subscribed: nothing happens
    }
}

public sealed class StalledShutdownTests
{
    [Fact]
    public async Task Shutdown_does_not_hang_on_a_peer_that_stopped_reading()
    {
        var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 64 });
        int port = (await a.ListenAsync()).Port;
        await using var stalled = await RawPeer.HandshakeAsync(port, RawPeer.SmallId(0x52), "/big");
        await WaitUntilAsync(() => a.Peers.Count == 1, "A has the peer");
        var big = BrokerData.String(new string('x', 256 * 1024));
        for (int i = 0; i < 100; i++)
        {
            a.Publish("/big", big);
        }

        // Bounded: the drain and the BYE each wait at most 3 s.
        await a.ShutdownAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
