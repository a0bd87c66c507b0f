using Broker.Data;
using Broker.Errors;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

/// <summary>Statuses and errors as ordinary data on <c>&lt;$&gt;/local/data/{statuses,errors}</c> (spec §2.2, §4.2).</summary>
public sealed class StatusDataTests
{
    [Fact]
    public async Task The_empty_prefix_sees_statuses_as_data_in_order_with_the_peers_data_and_never_the_peers_statuses()
    {
        await using var a = new BrokerEndpoint(new BrokerEndpointOptions { Name = "a" });
        await using var b = new BrokerEndpoint(new BrokerEndpointOptions { Name = "b" });
        await using var allA = a.Subscribe("");
        await using var allB = b.Subscribe("");
        int port = await ConnectAsync(a, b);
        await WaitForFilterAsync(b, "/x");
        b.Publish("/x", "hello");

        var first = await allA.ReceiveAsync(Deadline);
        Assert.Equal(StatusTopics.Statuses, first.Topic);
        Assert.Equal(EndpointId.Nil, first.Sender);
        Assert.Equal("status", first.Data[0].AsString());
        Assert.Equal(BrokerData.EnumValue("endpoint_discovered"), first.Data[1]);
        // endpoint_discovered carries the id only.
        Assert.Equal(BrokerData.Vector(b.Id.ToString(), BrokerData.None, BrokerData.None, BrokerData.None), first.Data[2]);

        var added = await allA.ReceiveAsync(Deadline);
        var peer = a.Peers.Single();
        Assert.Equal(
            BrokerData.Vector(
                "status",
                BrokerData.EnumValue("peer_added"),
                BrokerData.Vector(b.Id.ToString(), peer.Address!, BrokerData.Port((ushort)peer.Port, PortProtocol.Tcp), BrokerData.Count(0)),
                "handshake successful"),
            added.Data);
        var data = await allA.ReceiveAsync(Deadline);
        Assert.Equal(("/x", BrokerData.String("hello"), b.Id), (data.Topic, data.Data, data.Sender));

        // b's own statuses are about a: nothing of a's crossed the wire.
        await b.UnpeerAsync("127.0.0.1", port);
        var atB = new List<BrokerMessage>();
        while (atB.Count == 0 || atB[^1].Data[1] != BrokerData.EnumValue("endpoint_unreachable"))
        {
            atB.Add(await allB.ReceiveAsync(Deadline));
        }

        Assert.All(atB, m => Assert.Equal(StatusTopics.Statuses, m.Topic));
        Assert.All(atB, m => Assert.Equal(a.Id.ToString(), m.Data[2][0].AsString()));
        Assert.Contains(atB, m => m.Data[1] == BrokerData.EnumValue("peer_removed"));

        // At a, peer_lost follows as data, with b's network info; retry 0 for an inbound peer.
        BrokerMessage lost;
        do
        {
            lost = await allA.ReceiveAsync(Deadline);
        }
        while (lost.Data[1] != BrokerData.EnumValue("peer_lost"));
        Assert.Equal("lost connection to remote peer", lost.Data[3].AsString());
        Assert.Equal(b.Id.ToString(), lost.Data[2][0].AsString());
    }

    [Fact]
    public async Task Errors_arrive_on_the_errors_topic_and_the_local_topics_are_never_advertised()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var errors = a.Subscribe(StatusTopics.Errors);
        await using var statuses = a.Subscribe(StatusTopics.Statuses);
        await using var onlyX = b.Subscribe("/x");
        int port = await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/x");
        Assert.Empty(b.PeerSubscriptions);

        Assert.False(await a.UnpeerAsync("127.0.0.1", 1));
        var error = await errors.ReceiveAsync(Deadline);
        Assert.Equal(StatusTopics.Errors, error.Topic);
        Assert.Equal(
            BrokerData.Vector("error", BrokerData.EnumValue("peer_invalid"), BrokerData.Vector("cannot unpeer from unknown peer 127.0.0.1:1")),
            error.Data);

        // A failed dial names the peer's network (id unknown): context = [endpoint_info, message].
        await Assert.ThrowsAsync<BrokerException>(async () => await a.PeerAsync("127.0.0.1", port == 1 ? 2 : 1));
        var unavailable = await errors.ReceiveAsync(Deadline);
        Assert.Equal(BrokerData.EnumValue("peer_unavailable"), unavailable.Data[1]);
        var context = unavailable.Data[2];
        Assert.Equal(2, context.Length);
        Assert.Equal(BrokerData.None, context[0][0]);
        Assert.Equal("127.0.0.1", context[0][1].AsString());

        // Statuses went to the statuses subscription only.
        Assert.Equal(BrokerData.EnumValue("endpoint_discovered"), (await statuses.ReceiveAsync(Deadline)).Data[1]);
        Assert.Equal(BrokerData.EnumValue("peer_added"), (await statuses.ReceiveAsync(Deadline)).Data[1]);
        Assert.False(errors.TryReceive(out _));
    }

    [Fact]
    public async Task Reserved_topics_other_than_the_local_ones_are_still_rejected()
    {
        await using var ep = new BrokerEndpoint();
        foreach (string bad in new[] { "<$>/data", "<$>/local/ bad", "<$>/local" }) // not constants: the analyzer would flag them
        {
            Assert.Throws<InvalidTopicException>(() => ep.Subscribe(bad));
        }

        await using var ok = ep.Subscribe("<$>/local/");
        Assert.Equal("<$>/local/", ok.Prefix);
    }
}

/// <summary>Unpeering by endpoint id (either direction).</summary>
public sealed class UnpeerByIdTests
{
    [Fact]
    public async Task The_listener_unpeers_an_inbound_peer_by_id()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var eventsA = a.SubscribeEvents();
        await using var eventsB = b.SubscribeEvents();
        await ConnectAsync(a, b);

        Assert.True(await a.UnpeerAsync(b.Id));
        var removed = await eventsA.StatusAsync(StatusCode.PeerRemoved);
        Assert.Equal(b.Id, removed.Peer!.Id);
        Assert.Equal(PeerDirection.Inbound, removed.Peer.Direction);
        Assert.Equal(a.Id, (await eventsB.StatusAsync(StatusCode.PeerLost)).Peer!.Id);
        Assert.Empty(a.Peers);
        await WaitUntilAsync(() => b.Peers.Count == 0, "the dialer forgot the listener");

        Assert.False(await a.UnpeerAsync(b.Id));
        Assert.Equal(BrokerErrorCode.PeerInvalid, (await eventsA.NextAsync<ErrorEvent>()).Code);
    }

    [Fact]
    public async Task The_dialer_unpeers_by_id_and_its_retries_stop()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var eventsA = a.SubscribeEvents();
        await using var eventsB = b.SubscribeEvents();
        int port = (await a.ListenAsync()).Port;
        await b.PeerAsync("127.0.0.1", port, retry: TimeSpan.FromMilliseconds(50));

        Assert.True(await b.UnpeerAsync(a.Id));
        Assert.Equal(a.Id, (await eventsB.StatusAsync(StatusCode.PeerRemoved)).Peer!.Id);
        await eventsA.StatusAsync(StatusCode.PeerLost);

        // Retries stopped: unpeering by host and port now finds nothing (it would still find a retrying peering).
        Assert.False(await b.UnpeerAsync("127.0.0.1", port));
        Assert.Empty(b.Peers);
    }
}
