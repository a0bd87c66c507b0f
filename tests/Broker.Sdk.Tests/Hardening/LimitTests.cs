using System.Net.WebSockets;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.Peering;
using Broker.Sdk.Tests.WebSockets;
using Broker.WebSockets;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Limits added by the hardening work (docs/limits.md): each one closes only the offending connection. Frame sizes,
/// handshake timeout and decode limits are covered in Peering/BadInputTests and Serialization tests.
/// </summary>
public sealed class LimitTests
{
    [Fact]
    public async Task A_topic_longer_than_MaxTopicLength_closes_only_that_connection()
    {
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { MaxTopicLength = 64 });
        var events = ep.SubscribeEvents();
        await using var sub = ep.Subscribe("t/");
        var local = await ep.ListenAsync();
        await using var good = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await using var bad = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(2));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 2, "both raw peers are established");

        await bad.SendDataAsync("t/" + new string('x', 100), "too long");
        var error = await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage);
        Assert.Contains("exceeds the limit of 64", error.Message);
        await bad.ReadUntilClosedAsync();

        await good.SendDataAsync("t/" + new string('x', 62), "just fits");
        var m = await sub.ReceiveAsync(PeeringTestKit.Deadline);
        Assert.Equal(64, m.Topic.Length);
        // The socket closes before the endpoint finishes removing the peer: wait for it rather than race it.
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "only the offending peer was removed");
        Assert.Equal(good.Id, Assert.Single(ep.Peers).Id);
    }

    [Fact]
    public async Task IdleTimeout_closes_a_silent_peer_but_not_an_active_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = time });
        var events = ep.SubscribeEvents();
        var local = await ep.ListenAsync();
        await using var active = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await using var silent = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(2));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 2, "both raw peers are established");

        time.Advance(TimeSpan.FromSeconds(20));
        await active.PingAsync("keepalive"); // answered: the endpoint read it and re-armed the timer
        time.Advance(TimeSpan.FromSeconds(15));

        var error = await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.PeerTimeout);
        Assert.Equal(silent.Id, error.Peer?.Id);
        await silent.ReadUntilClosedAsync();
        await active.PingAsync("still here");
        // The socket closes before the endpoint finishes removing the peer: wait for it rather than race it.
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "only the silent peer was removed");
        Assert.Equal([active.Id], ep.Peers.Select(p => p.Id));
    }

    [Fact]
    public async Task MaxPeers_refuses_the_extra_connection_only()
    {
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { MaxPeers = 1 });
        var events = ep.SubscribeEvents();
        var local = await ep.ListenAsync();
        await using var first = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "the first peer is established");
        await using var second = await RawPeer.ConnectAsync(local.Port, RawPeer.SmallId(2));
        Assert.Contains("(MaxPeers)", (await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.NoConnectorAvailable)).Message);
        await second.ReadUntilClosedAsync();
        await first.PingAsync();
    }

    [Fact]
    public async Task Too_many_WebSocket_subscriptions_close_that_client_with_a_policy_violation()
    {
        await using var ep = new BrokerEndpoint();
        var bound = await ep.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { MaxSubscriptionsPerClient = 3 });
        using var ok = await WsTestSupport.RawConnectAsync(bound, "[\"a\",\"b\",\"c\"]");
        Assert.Contains("ack", await WsTestSupport.ReceiveTextAsync(ok));
        using var tooMany = await WsTestSupport.RawConnectAsync(bound, "[\"a\",\"b\",\"c\",\"d\"]");
        Assert.Equal("{\"type\":\"error\",\"code\":\"invalid_message\",\"context\":\"4 subscriptions exceed the limit of 3 (MaxSubscriptionsPerClient)\"}", await WsTestSupport.ReceiveTextAsync(tooMany));
        Assert.Null(await WsTestSupport.ReceiveTextAsync(tooMany));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, tooMany.CloseStatus);
        Assert.Contains("limit of 3", tooMany.CloseStatusDescription);
        Assert.Equal(WebSocketState.Open, ok.State);
    }
}
