using System.Net;
using System.Net.Sockets;
using Broker.Data;
using Broker.Errors;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Status_events_bracket_the_data_of_a_peer_and_unpeer_is_graceful()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var eventsA = a.SubscribeEvents();
        await using var eventsB = b.SubscribeEvents();
        var port = (await a.ListenAsync()).Port;
        var info = await b.PeerAsync("127.0.0.1", port);
        Assert.Equal(a.Id, info.Id);
        Assert.Equal(PeerDirection.Outbound, info.Direction);
        Assert.Equal(port, info.Port);

        var discovered = await eventsB.NextAsync<StatusEvent>();
        Assert.Equal(StatusCode.EndpointDiscovered, discovered.Code);
        var added = await eventsB.NextAsync<StatusEvent>();
        Assert.Equal(StatusCode.PeerAdded, added.Code);
        Assert.Equal("handshake successful", added.Message);
        Assert.Equal(a.Id, added.Peer!.Id);

        var addedAtA = await eventsA.StatusAsync(StatusCode.PeerAdded);
        Assert.Equal(b.Id, addedAtA.Peer!.Id);
        Assert.Equal(PeerDirection.Inbound, addedAtA.Peer.Direction);
        Assert.Single(a.Peers);
        Assert.Single(b.Peers);

        Assert.True(await b.UnpeerAsync("127.0.0.1", port));
        var removed = await eventsB.StatusAsync(StatusCode.PeerRemoved);
        Assert.StartsWith("removed connection to remote peer", removed.Message);
        Assert.Equal(StatusCode.EndpointUnreachable, (await eventsB.NextAsync<StatusEvent>()).Code);
        var lost = await eventsA.StatusAsync(StatusCode.PeerLost);
        Assert.Equal("lost connection to remote peer", lost.Message);
        Assert.Equal(StatusCode.EndpointUnreachable, (await eventsA.NextAsync<StatusEvent>()).Code);
        Assert.Empty(a.Peers);
        Assert.Empty(b.Peers);

        // Unpeering an unknown peer: false and peer_invalid.
        Assert.False(await b.UnpeerAsync("127.0.0.1", port));
        Assert.Equal(BrokerErrorCode.PeerInvalid, (await eventsB.NextAsync<ErrorEvent>()).Code);
    }

    [Fact]
    public async Task Unpeer_then_peer_again_delivers_data_again()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var sub = b.Subscribe("/again");
        int port = await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/again");
        a.Publish("/again", 1L);
        Assert.Equal(1L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());

        Assert.True(await b.UnpeerAsync("127.0.0.1", port));
        await WaitUntilAsync(() => a.Peers.Count == 0, "A forgot B");

        await ConnectToAsync(a, port, b);
        await WaitForFilterAsync(a, "/again");
        a.Publish("/again", 2L);
        Assert.Equal(2L, (await sub.ReceiveAsync(Deadline)).Data.AsInteger());
    }

    [Fact]
    public async Task Peering_retries_until_a_late_listener_appears()
    {
        int port = FreePort();
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        await using var events = b.SubscribeEvents();
        var peering = b.PeerAsync("127.0.0.1", port, TimeSpan.FromMilliseconds(50)).AsTask();

        // Each failed attempt is reported.
        var e1 = await events.NextAsync<ErrorEvent>();
        var e2 = await events.NextAsync<ErrorEvent>();
        Assert.Equal(BrokerErrorCode.PeerUnavailable, e1.Code);
        Assert.Equal(BrokerErrorCode.PeerUnavailable, e2.Code);
        Assert.False(peering.IsCompleted);

        await a.ListenAsync("127.0.0.1", port);
        var info = await peering.WaitAsync(Deadline);
        Assert.Equal(a.Id, info.Id);
    }

    [Fact]
    public async Task Listening_on_a_port_already_in_use_fails_with_cannot_open_resource()
    {
        await using var a = new BrokerEndpoint();
        await using var b = new BrokerEndpoint();
        var bound = await a.ListenAsync("127.0.0.1", 0);

        var error = await Assert.ThrowsAsync<BrokerException>(async () => await b.ListenAsync("127.0.0.1", bound.Port));
        Assert.Equal(BrokerErrorCode.CannotOpenResource, error.Code);

        // The first listener is untouched: a peer still reaches it.
        var peer = await b.PeerAsync("127.0.0.1", bound.Port);
        Assert.Equal(a.Id, peer.Id);
    }

    [Fact]
    public async Task Listening_on_a_host_name_resolves_it()
    {
        await using var a = new BrokerEndpoint();
        var bound = await a.ListenAsync("localhost", 0);
        Assert.True(IPAddress.IsLoopback(bound.Address));
    }

    [Fact]
    public async Task Peering_without_retry_fails_at_once_with_peer_unavailable()
    {
        await using var b = new BrokerEndpoint();
        var error = await Assert.ThrowsAsync<BrokerException>(async () => await b.PeerAsync("127.0.0.1", FreePort()));
        Assert.Equal(BrokerErrorCode.PeerUnavailable, error.Code);
    }

    [Fact]
    public async Task A_killed_peer_is_reported_lost_and_an_outbound_peering_is_redialed()
    {
        // The "remote node" is a hand-made peer we can kill (reset) mid-stream, then bring back.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var b = new BrokerEndpoint();
        await using var events = b.SubscribeEvents();
        await using var sub = b.Subscribe("/k");
        var peering = b.PeerAsync("127.0.0.1", port, TimeSpan.FromMilliseconds(50)).AsTask();

        var first = RawPeer.FromAccepted(await listener.AcceptTcpClientAsync(), RawPeer.SmallId(7));
        await first.AcceptHandshakeAsync("/k");
        await peering.WaitAsync(Deadline);
        await events.StatusAsync(StatusCode.PeerAdded);
        await first.SendDataAsync("/k/1", BrokerData.Count(1));
        await first.SendDataAsync("/k/2", BrokerData.Count(2));
        // SIGKILL: the kernel closes the dead process's socket with a FIN and no frame (golden lifecycle_kill-*).
        await first.DisposeAsync();

        // Both messages, then peer_lost; nothing from that peer after it.
        Assert.Equal(1UL, (await sub.ReceiveAsync(Deadline)).Data.AsCount());
        Assert.Equal(2UL, (await sub.ReceiveAsync(Deadline)).Data.AsCount());
        var lost = await events.StatusAsync(StatusCode.PeerLost);
        Assert.Equal(RawPeer.SmallId(7), lost.Peer!.Id);

        // B dials again by itself.
        var second = RawPeer.FromAccepted(await listener.AcceptTcpClientAsync(), RawPeer.SmallId(7));
        await second.AcceptHandshakeAsync("/k");
        await events.StatusAsync(StatusCode.PeerAdded);
        await second.SendDataAsync("/k/3", BrokerData.Count(3));
        Assert.Equal(3UL, (await sub.ReceiveAsync(Deadline)).Data.AsCount());
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_flushes_accepted_messages_and_says_bye()
    {
        var a = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 50_000 });
        await using var b = new BrokerEndpoint();
        await using var eventsB = b.SubscribeEvents();
        await using var sub = b.Subscribe("/flush", new SubscriberOptions { QueueSize = 50_000 });
        await ConnectAsync(a, b);
        await WaitForFilterAsync(a, "/flush");
        for (int i = 0; i < 10_000; i++)
        {
            a.Publish("/flush", BrokerData.Count((ulong)i));
        }

        await a.ShutdownAsync();
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal((ulong)i, (await sub.ReceiveAsync(Deadline)).Data.AsCount());
        }

        await eventsB.StatusAsync(StatusCode.PeerLost);
        await Assert.ThrowsAsync<BrokerException>(async () => await a.ListenAsync());
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
