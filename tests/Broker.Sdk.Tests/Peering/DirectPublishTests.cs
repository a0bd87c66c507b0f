using System.Collections.Immutable;
using Broker.Data;
using Broker.Serialization;
using Broker.Zeek;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

/// <summary>Values that write themselves (<see cref="IBrokerValue"/>) published over real peerings.</summary>
public sealed class DirectPublishTests
{
    [Fact]
    public async Task Events_written_directly_arrive_as_their_tree_across_slab_boundaries()
    {
        // Sizes from tiny to larger than a frame slab (32 KiB), interleaved, so frames start in a slab's tail, need a
        // fresh slab, or need a buffer of their own.
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 10_000 });
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/direct", new SubscriberOptions { QueueSize = 10_000 });
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/direct/x");

        int[] sizes = [0, 5, 300, 9_000, 20_000, 31_000, 40_000, 200_000, 1];
        var sent = new List<BrokerData>();
        for (int round = 0; round < 20; round++)
        {
            foreach (int size in sizes)
            {
                var ev = new ZeekEvent("sized", BrokerData.Count((ulong)sent.Count), BrokerData.String(new string((char)('a' + round), size)));
                a.Publish("/direct/x", ev);
                sent.Add(((IBrokerValue)ev).ToBrokerData());
            }
        }

        foreach (var expected in sent)
        {
            Assert.Equal(expected, (await sub.ReceiveAsync(Deadline)).Data);
        }
    }

    [Fact]
    public async Task Self_delivery_and_peers_see_the_same_value()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var local = a.Subscribe("/both");
        await using var remote = b.Subscribe("/both");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/both");

        var ev = new ZeekEvent("e", ImmutableArray.Create(BrokerData.String("x")), [(ZeekEvent.NetworkTimestampKey, BrokerData.Timestamp(DateTimeOffset.UnixEpoch))]);
        a.Publish("/both", ev, SendFlags.Self | SendFlags.Peers);

        var expected = ev.ToData();
        Assert.Equal(expected, (await local.ReceiveAsync(Deadline)).Data);
        Assert.Equal(expected, (await remote.ReceiveAsync(Deadline)).Data);
    }

    [Fact]
    public async Task A_value_that_throws_while_writing_leaves_the_stream_intact()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/t");
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/t");

        a.Publish("/t", BrokerData.Count(1));
        Assert.Throws<InvalidOperationException>(() => a.Publish("/t", new Throwing()));
        a.Publish("/t", BrokerData.Count(2));

        Assert.Equal(1UL, (await sub.ReceiveAsync(Deadline)).Data.AsCount());
        Assert.Equal(2UL, (await sub.ReceiveAsync(Deadline)).Data.AsCount());

        // The half-written value was never framed: the receiver saw nothing it had to drop.
        Assert.Equal(0, b.GetStatistics().MalformedFrames);
    }

    // Writes half a value, then fails: nothing of it may reach the wire.
    private readonly struct Throwing : IBrokerValue
    {
        public void WriteTo(ref BrokerWriter writer)
        {
            writer.WriteVectorHeader(2);
            writer.WriteCount(7);
            throw new InvalidOperationException("broken value");
        }

        public BrokerData ToBrokerData() => throw new InvalidOperationException("broken value");
    }
}
