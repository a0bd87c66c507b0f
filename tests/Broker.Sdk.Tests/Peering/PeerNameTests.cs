using System.Diagnostics;
using System.Text;
using Broker.Data;
using Broker.Sdk.Tests.TestSupport;
using Broker.Wire;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

/// <summary>The name exchange (a ping after the handshake, docs/peering.md "Peer names").</summary>
public sealed class PeerNameTests
{
    [Fact]
    public async Task Two_sdk_endpoints_learn_each_others_names_before_peer_added()
    {
        // A long bound: the names must end the wait, not the timer.
        var wait = TimeSpan.FromSeconds(60);
        await using var listener = new BrokerEndpoint(new BrokerEndpointOptions { Name = "listener-α", PeerNameTimeout = wait });
        await using var dialer = new BrokerEndpoint(new BrokerEndpointOptions { Name = "dialer", PeerNameTimeout = wait });
        await using var listenerEvents = listener.SubscribeEvents();
        await using var dialerEvents = dialer.SubscribeEvents();
        int port = (await listener.ListenAsync()).Port;

        var info = await dialer.PeerAsync("127.0.0.1", port);
        Assert.Equal("listener-α", info.Name);
        Assert.Equal(listener.Id, info.Id);

        var discovered = await dialerEvents.StatusAsync(StatusCode.EndpointDiscovered);
        Assert.Equal("listener-α", discovered.Peer!.Name);
        Assert.Equal("listener-α", (await dialerEvents.StatusAsync(StatusCode.PeerAdded)).Peer!.Name);
        var incoming = await listenerEvents.StatusAsync(StatusCode.PeerAdded);
        Assert.Equal("dialer", incoming.Peer!.Name);
        Assert.Equal(PeerDirection.Inbound, incoming.Peer.Direction);
        Assert.Equal(["dialer"], listener.Peers.Select(p => p.Name));
        Assert.Equal(["listener-α"], dialer.Peers.Select(p => p.Name));

        await dialer.ShutdownAsync();
        Assert.Equal("dialer", (await listenerEvents.StatusAsync(StatusCode.PeerLost)).Peer!.Name);
    }

    [Fact]
    public async Task An_endpoint_without_a_name_is_reported_by_its_id_without_waiting_for_the_timer()
    {
        var wait = TimeSpan.FromSeconds(60);
        await using var listener = new BrokerEndpoint(new BrokerEndpointOptions { PeerNameTimeout = wait });
        await using var dialer = new BrokerEndpoint(new BrokerEndpointOptions { Name = "named", PeerNameTimeout = wait });
        int port = (await listener.ListenAsync()).Port;
        var info = await dialer.PeerAsync("127.0.0.1", port);
        Assert.Equal(listener.Id.ToString(), info.Name);
        await WaitUntilAsync(() => listener.Peers.Any(p => p.Name == "named"), "the listener knows the dialer's name");
    }

    [Fact]
    public async Task A_peer_that_answers_our_name_ping_like_real_broker_ends_the_wait_with_its_id()
    {
        // Real Broker echoes every ping as a pong (golden lifecycle_rawpeer seq 8/9): that pong ends the wait.
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { Name = "sdk", PeerNameTimeout = TimeSpan.FromSeconds(60) });
        await using var events = ep.SubscribeEvents();
        var local = await ep.ListenAsync();
        await using var raw = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(7));

        var ping = await raw.ReadEnvelopeAsync(EnvelopeType.Ping);
        Assert.True(Envelope.TryParse(ping, out var env));
        Assert.Equal(ep.Id, env.Sender);
        Assert.Equal(raw.Id, env.Receiver);
        Assert.Equal("<$>", Encoding.UTF8.GetString(env.Topic));
        Assert.Equal("BSDK-NAME\0sdk", Encoding.UTF8.GetString(env.Payload));
        await raw.SendEnvelopeAsync(EnvelopeType.Pong, WireFormat.ReservedTopic, env.Payload.ToArray());

        var added = await events.StatusAsync(StatusCode.PeerAdded);
        Assert.Equal(raw.Id.ToString(), added.Peer!.Name);
    }

    [Fact]
    public async Task A_name_that_arrives_after_the_bound_still_updates_the_peer()
    {
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { PeerNameTimeout = TimeSpan.FromMilliseconds(50) });
        await using var events = ep.SubscribeEvents();
        var local = await ep.ListenAsync();
        await using var raw = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(9));
        Assert.Equal(raw.Id.ToString(), (await events.StatusAsync(StatusCode.PeerAdded)).Peer!.Name);

        await raw.PingAsync("BSDK-NAME\0late"); // answered like any ping
        Assert.Equal("late", ep.Peers.Single().Name);
        raw.Reset();
        Assert.Equal("late", (await events.StatusAsync(StatusCode.PeerLost)).Peer!.Name);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("bad\nname", null)]
    [InlineData("zeek-manager", "zeek-manager")]
    public void Name_pings_round_trip_and_unusable_names_fall_back_to_the_id(string name, string? expected)
    {
        var payload = Broker.Peering.PeerNames.EncodePing(name);
        Assert.True(Broker.Peering.PeerNames.TryDecode(payload, out var decoded));
        Assert.Equal(expected, decoded);
        Assert.False(Broker.Peering.PeerNames.TryDecode("ping-1"u8, out _));
        Assert.False(Broker.Peering.PeerNames.TryDecode("BYE\u0001\0\0\0\0\0\0\0"u8, out _));
    }

    [Fact]
    public void Long_names_are_cut_at_a_character_boundary()
    {
        string name = new string('a', 255) + "é" + new string('b', 100);
        var payload = Broker.Peering.PeerNames.EncodePing(name);
        Assert.True(Broker.Peering.PeerNames.TryDecode(payload, out var decoded));
        Assert.Equal(new string('a', 255), decoded);
    }

    [Fact]
    public async Task Data_as_the_first_frame_ends_the_wait_and_arrives_after_peer_added()
    {
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { PeerNameTimeout = TimeSpan.FromSeconds(60) });
        await using var all = ep.Subscribe("");
        var local = await ep.ListenAsync();
        await using var raw = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(8));
        await raw.SendDataAsync("/first", BrokerData.Count(1));

        // One ordered stream: statuses as data, then the peer's data.
        var topics = new List<string>();
        while (topics.LastOrDefault() != "/first")
        {
            topics.Add((await all.ReceiveAsync(Deadline)).Topic);
        }

        Assert.Equal([StatusTopics.Statuses, StatusTopics.Statuses, "/first"], topics);
    }

    [Fact]
    public async Task A_golden_raw_peer_that_never_names_itself_gets_peer_added_with_its_id_within_the_bound()
    {
        // Replay R's frames from the real-Broker capture byte for byte against an endpoint with A's id.
        var frames = GoldenTsv.Read("native", "lifecycle_rawpeer.tsv").Rows
            .Where(r => r["seq"] != "-")
            .ToDictionary(r => int.Parse(r["seq"], System.Globalization.CultureInfo.InvariantCulture), r => Convert.FromHexString(r["hex"]));
        var idA = EndpointId.Parse("e2a35f8f-5129-5738-ab31-ba8537f6e50f");
        var idR = EndpointId.Parse("00112233-4455-4677-8899-aabbccddeeff");
        var bound = TimeSpan.FromMilliseconds(300);
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { Id = idA, PeerNameTimeout = bound });
        await using var events = ep.SubscribeEvents();
        await using var sub = ep.Subscribe("/test");
        var local = await ep.ListenAsync();
        await using var raw = await RawPeer.ConnectAsync(local.Port, idR);

        await raw.SendAsync(frames[1]);
        byte[] hello;
        do
        {
            hello = (await raw.ReadFrameAsync())!;
        }
        while (hello[0] == (byte)HandshakeType.Probe);
        Assert.Equal(frames[3], hello);
        await raw.SendAsync(frames[4], frames[5]);
        var synAck = await raw.ReadFrameAsync();
        Assert.Equal(frames[6], synAck);
        var watch = Stopwatch.StartNew();
        await raw.SendAsync(frames[7]);

        var added = await events.StatusAsync(StatusCode.PeerAdded);
        var elapsed = watch.Elapsed;
        Assert.Equal(idR, added.Peer!.Id);
        Assert.Equal(idR.ToString(), added.Peer.Name);
        // The bound plus generous scheduling slack on a busy 2-core machine; well below any "hang".
        Assert.True(elapsed < bound + TimeSpan.FromSeconds(3), $"peer_added took {elapsed.TotalMilliseconds:0} ms");

        // Our one extra frame (the name ping, answered by real Broker), then Broker's behaviour byte for byte.
        Assert.True(Envelope.TryParse((await raw.ReadFrameAsync())!, out var ping));
        Assert.Equal(EnvelopeType.Ping, ping.Type);
        await raw.SendAsync(frames[8]);
        Assert.Equal(frames[9], await raw.ReadFrameAsync());
        await raw.SendAsync(frames[15]);
        var m = await sub.ReceiveAsync(Deadline);
        Assert.Equal(("/test", BrokerData.Count(42), idR), (m.Topic, m.Data, m.Sender));
    }
}
