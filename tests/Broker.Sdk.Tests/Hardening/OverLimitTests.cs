using System.Buffers;
using System.Net.WebSockets;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.Peering;
using Broker.Sdk.Tests.WebSockets;
using Broker.Serialization;
using Broker.Stores.Wire;
using Broker.WebSockets;
using Broker.Wire;
using Xunit;

namespace Broker.Sdk.Tests.Hardening;

/// <summary>
/// Input over a limit after the handshake closes the offending connection (docs/limits.md), with an error naming the
/// limit; what that connection sent before is delivered, and the other connections keep working. Malformed input
/// that is within the limits stays a dropped-and-counted message (Peering/BadInputTests).
/// </summary>
public sealed class OverLimitTests
{
    private static readonly BrokerEndpointOptions Small = new()
    {
        MaxTopicLength = 64,
        DecodeLimits = new BrokerDecodeLimits { MaxDepth = 4, MaxCollectionCount = 8, MaxStringBytes = 64 },
    };

    public static TheoryData<string, bool> NativeCases
    {
        get
        {
            var cases = new TheoryData<string, bool>();
            foreach (string limit in new[] { "depth", "collection", "string", "command", "filter-size", "filter-prefix", "topic" })
            {
                cases.Add(limit, false);
            }

            // A subscriber that takes values still encoded (as generated typed handlers do): data is only validated
            // on arrival, never decoded, and must be judged exactly as the decoder judges it.
            foreach (string limit in new[] { "depth", "collection", "string" })
            {
                cases.Add(limit, true);
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(NativeCases))]
    public async Task Native_over_limit_input_closes_only_that_connection_and_keeps_what_it_sent_before(string limit, bool encodedSubscriber)
    {
        await using var ep = new BrokerEndpoint(Small);
        var events = ep.SubscribeEvents();
        await using var sub = ep.Core.Subscribe("t/", null, acceptsEncoded: encodedSubscriber);
        var local = await ep.ListenAsync();
        await using var good = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await using var bad = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(2));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 2, "both raw peers are established");

        // Accepted before the violation: must be delivered. Sent after it: never processed (the connection is gone).
        await bad.SendDataAsync("t/before", BrokerData.Count(1));
        string expected;
        switch (limit)
        {
            case "depth":
                await bad.SendDataAsync("t/deep", Nest(6));
                expected = "DecodeLimits.MaxDepth";
                break;
            case "collection":
                await bad.SendDataAsync("t/wide", BrokerData.Vector(Enumerable.Range(0, 9).Select(i => BrokerData.Count((ulong)i)).ToArray()));
                expected = "DecodeLimits.MaxCollectionCount";
                break;
            case "string":
                await bad.SendDataAsync("t/long", new string('s', 65));
                expected = "DecodeLimits.MaxStringBytes";
                break;
            case "command":
                var put = new StoreCommand(1, default, default, new PutCommand("key", Nest(6), null, default));
                await bad.SendEnvelopeAsync(EnvelopeType.Command, "t/store/master", StoreCommandCodec.Serialize(put), EndpointId.Nil);
                expected = "DecodeLimits.MaxDepth";
                break;
            case "filter-size":
                await bad.SendEnvelopeAsync(EnvelopeType.RoutingUpdate, "<$>", Filter([.. Enumerable.Range(0, 9).Select(i => $"p{i}/")]), EndpointId.Nil);
                expected = "DecodeLimits.MaxCollectionCount";
                break;
            case "filter-prefix":
                await bad.SendEnvelopeAsync(EnvelopeType.RoutingUpdate, "<$>", Filter(["p/" + new string('x', 63)]), EndpointId.Nil);
                expected = "MaxTopicLength";
                break;
            default:
                await bad.SendDataAsync("t/" + new string('x', 63), "too long");
                expected = "MaxTopicLength";
                break;
        }

        await bad.SendDataAsync("t/after", BrokerData.Count(2));
        var error = await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage);
        Assert.Contains(expected, error.Message);
        Assert.Contains("closing the connection", error.Message);
        Assert.Equal(bad.Id, error.Peer?.Id);
        await bad.ReadUntilClosedAsync();
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "only the offending peer is gone");

        Assert.Equal("t/before", (await sub.ReceiveAsync(PeeringTestKit.Deadline)).Topic);
        await good.SendDataAsync("t/good", "still served");
        Assert.Equal("t/good", (await sub.ReceiveAsync(PeeringTestKit.Deadline)).Topic); // and t/after never arrived
        Assert.Equal([good.Id], ep.Peers.Select(p => p.Id));
        await good.PingAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Malformed_data_within_the_limits_is_dropped_without_closing(bool encodedSubscriber)
    {
        await using var ep = new BrokerEndpoint(Small);
        var events = ep.SubscribeEvents();
        await using var sub = ep.Core.Subscribe("t/", null, acceptsEncoded: encodedSubscriber);
        var local = await ep.ListenAsync();
        await using var peer = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "the raw peer is established");

        // A vector claiming 2^32-1 elements in 1 byte is a lie, not a big collection; a store command of an
        // unexpected shape is the store's business: neither costs the connection.
        await peer.SendEnvelopeAsync(EnvelopeType.Data, "t/lie", [0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0], EndpointId.Nil);
        await peer.SendEnvelopeAsync(EnvelopeType.Command, "t/store/master", [.. Enumerable.Repeat((byte)0xee, 200)], EndpointId.Nil);
        await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage && e.Message.Contains("t/lie"));
        await peer.SendDataAsync("t/ok", BrokerData.Count(3));
        Assert.Equal("t/ok", (await sub.ReceiveAsync(PeeringTestKit.Deadline)).Topic);
        Assert.Single(ep.Peers);
    }

    [Fact]
    public async Task An_oversized_handshake_frame_gets_drop_conn_naming_the_limit_and_established_peers_stay()
    {
        await using var ep = new BrokerEndpoint(new BrokerEndpointOptions { MaxHandshakeFrameSize = 64 });
        var events = ep.SubscribeEvents();
        var local = await ep.ListenAsync();
        await using var established = await RawPeer.HandshakeAsync(local.Port, RawPeer.SmallId(1));
        await PeeringTestKit.WaitUntilAsync(() => ep.Peers.Count == 1, "the first peer is established");

        await using var raw = await RawPeer.ConnectAsync(local.Port, RawPeer.SmallId(2));
        await raw.SendRawAsync([0, 0, 0, 65, .. new byte[8]]); // announces 65 bytes; never buffered
        var frames = await raw.ReadUntilClosedAsync();
        Assert.Equal(HandshakeParseResult.Ok, HandshakeMessage.TryParse(frames[^1], out var drop));
        Assert.Equal(HandshakeType.DropConn, drop!.Type);
        Assert.Equal(BrokerErrorCode.InvalidMessage, drop.Code);
        Assert.Contains("MaxHandshakeFrameSize", drop.Description);
        await events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage);
        await established.PingAsync();
        Assert.Single(ep.Peers);
    }

    public static TheoryData<string> WebSocketCases => ["depth", "topic", "size"];

    [Theory]
    [MemberData(nameof(WebSocketCases))]
    public async Task WebSocket_over_limit_input_gets_an_error_frame_then_a_close_and_other_clients_stay(string limit)
    {
        await using var ep = new BrokerEndpoint();
        await using var local = ep.Subscribe("/t/");
        var options = new WebSocketServerOptions { MaxTopicLength = 64, MaxMessageBytes = 4096, ReadLimits = new Broker.Serialization.Json.BrokerJsonReadLimits { MaxDepth = 8 } };
        var bound = await ep.ListenWebSocketAsync("127.0.0.1", 0, options);
        using var other = await WsTestSupport.RawConnectAsync(bound, "[\"/t/\"]");
        Assert.Contains("ack", await WsTestSupport.ReceiveTextAsync(other));
        using var bad = await WsTestSupport.RawConnectAsync(bound, "[]");
        Assert.Contains("ack", await WsTestSupport.ReceiveTextAsync(bad));

        await WsTestSupport.SendTextAsync(bad, Message("/t/before", "\"ok\""));
        (string text, string context, WebSocketCloseStatus status) = limit switch
        {
            "depth" => (Message("/t/deep", "[" + string.Concat(Enumerable.Repeat("{\"@data-type\":\"vector\",\"data\":[", 5)) + string.Concat(Enumerable.Repeat("]}", 5)) + "]"),
                "input #2 contained malformed JSON -> caf::pec::nested_too_deeply", WebSocketCloseStatus.PolicyViolation),
            "topic" => (Message("/t/" + new string('x', 62), "\"long\""), "input #2 has a topic of 65 bytes", WebSocketCloseStatus.PolicyViolation),
            _ => (Message("/t/big", "\"" + new string('x', 5000) + "\""), "input #2 exceeds the limit of 4096 bytes (MaxMessageBytes)", WebSocketCloseStatus.MessageTooBig),
        };
        await WsTestSupport.SendTextAsync(bad, text);

        Assert.StartsWith($"{{\"type\":\"error\",\"code\":\"deserialization_failed\",\"context\":\"{context}", await WsTestSupport.ReceiveTextAsync(bad));
        Assert.Null(await WsTestSupport.ReceiveTextAsync(bad));
        Assert.Equal(status, bad.CloseStatus);
        await bad.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, WsTestSupport.Timeout()); // completes the close handshake

        Assert.Equal("/t/before", (await local.ReceiveAsync(PeeringTestKit.Deadline)).Topic); // accepted before the violation: delivered
        Assert.Contains("/t/before", await WsTestSupport.ReceiveTextAsync(other));
        await WsTestSupport.SendTextAsync(other, Message("/t/other", "\"still served\""));
        Assert.Equal("/t/other", (await local.ReceiveAsync(PeeringTestKit.Deadline)).Topic);
        Assert.Equal(WebSocketState.Open, other.State);
        await WsTestSupport.WaitUntil(() => ep.WebSocketHub.Snapshot().Length == 1, "only the offending client is gone");

        static string Message(string topic, string data) => $"{{\"type\":\"data-message\",\"topic\":\"{topic}\",\"@data-type\":\"{(data.StartsWith('"') ? "string" : "vector")}\",\"data\":{data}}}";
    }

    [Fact]
    public async Task WebSocket_client_count_and_request_header_limits_refuse_the_newcomer_only()
    {
        await using var ep = new BrokerEndpoint();
        await using var local = ep.Subscribe("/t/");
        var bound = await ep.ListenWebSocketAsync("127.0.0.1", 0, new WebSocketServerOptions { MaxClients = 1, MaxRequestHeaderBytes = 512 });
        using var first = await WsTestSupport.RawConnectAsync(bound, "[\"/t/\"]");
        Assert.Contains("ack", await WsTestSupport.ReceiveTextAsync(first));
        await WsTestSupport.WaitUntil(() => ep.WebSocketClientCount == 1, "the first client is registered");

        const string upgrade = "GET /v1/messages/json HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        Assert.Equal("HTTP/1.1 503 Service Unavailable", await WsTestSupport.RawHttpAsync(bound, upgrade + "\r\n"));
        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", await WsTestSupport.RawHttpAsync(bound, upgrade + "X-Pad: " + new string('p', 600) + "\r\n\r\n"));

        await WsTestSupport.SendTextAsync(first, "{\"type\":\"data-message\",\"topic\":\"/t/first\",\"@data-type\":\"count\",\"data\":1}");
        Assert.Equal("/t/first", (await local.ReceiveAsync(PeeringTestKit.Deadline)).Topic);
        ep.Publish("/t/back", "to the client");
        Assert.Contains("/t/back", await WsTestSupport.ReceiveTextAsync(first));
    }

    private static BrokerData Nest(int depth) => depth == 0 ? BrokerData.Count(0) : BrokerData.Vector(Nest(depth - 1));

    private static byte[] Filter(string[] prefixes)
    {
        var bytes = new byte[FilterCodec.GetSize(prefixes)];
        FilterCodec.Write(prefixes, bytes);
        return bytes;
    }
}
