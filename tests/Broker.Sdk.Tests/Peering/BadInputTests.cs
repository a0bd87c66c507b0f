using System.Buffers.Binary;
using Broker.Data;
using Broker.Errors;
using Broker.Wire;
using Xunit;
using static Broker.Sdk.Tests.Peering.PeeringTestKit;

namespace Broker.Sdk.Tests.Peering;

/// <summary>
/// Bad input against a listening endpoint, replaying the client bytes of golden/native/dropconn_summary.tsv: each
/// case gets Broker's drop_conn (or a close) within a bounded time and an error event, and the endpoint's other
/// peer keeps working throughout.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    // Short enough for the stall test, long enough that the good peer's and raw peers' handshakes finish on a loaded
    // 2-core machine (500 ms reset a good handshake when three test runs shared the cores).
    private readonly BrokerEndpoint _a = new(new BrokerEndpointOptions { HandshakeTimeout = TimeSpan.FromSeconds(2) });
    private readonly BrokerEndpoint _good = new();
    private EventSubscription _events = null!;
    private BrokerSubscription _goodSub = null!;
    private BrokerSubscription _aSub = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _events = _a.SubscribeEvents(new SubscriberOptions { QueueSize = 10_000 });
        _aSub = _a.Subscribe("/test");
        _goodSub = _good.Subscribe("/good");
        _port = await ConnectAsync(_a, _good);
        await WaitForFilterAsync(_a, "/good");
    }

    public async Task DisposeAsync()
    {
        // The healthy peer was never disturbed.
        _a.Publish("/good", "still here");
        Assert.Equal("still here", (await _goodSub.ReceiveAsync(Deadline)).Data.AsString());
        await _good.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Theory]
    [InlineData("hello-wrong-magic", "0000001706deadbeef000000000000400080000000000000020101", 38, "wrong magic number")]
    [InlineData("hello-version-2-2", "00000017065a45454b000000000000400080000000000000030202", 2, "unsupported versions offered")]
    [InlineData("hello-version-0-0", "00000017065a45454b000000000000400080000000000000040000", 2, "unsupported versions offered")]
    [InlineData("probe-wrong-magic", "000000050700000000", 38, "wrong magic number")]
    [InlineData("unknown-type-byte", "00000008deadbeef00010203", 20, "invalid message type tag")]
    [InlineData("data-type-before-handshake", "000000290100000000000000000000000000000000000000000000000000000000000000000000000000000000", 20, "invalid message type tag")]
    [InlineData("truncated-hello", "00000005065a45454b", 20, "failed to parse hello_msg")]
    public async Task Pre_handshake_errors_get_brokers_drop_conn(string test, string hex, int code, string description)
    {
        await using var raw = await RawPeer.ConnectAsync(_port);
        await raw.SendRawAsync(Convert.FromHexString(hex));
        var frames = await raw.ReadUntilClosedAsync();
        Assert.True(frames.Count >= 2, $"{test}: expected probe + drop_conn, got {frames.Count} frames");
        Assert.Equal(HandshakeMessage.Probe(), frames[0]);
        Assert.Equal(HandshakeParseResult.Ok, HandshakeMessage.TryParse(frames[^1], out var drop));
        Assert.Equal(HandshakeType.DropConn, drop!.Type);
        Assert.Equal((BrokerErrorCode)code, drop.Code);
        Assert.Equal(description, drop.Description);
        Assert.Equal(_a.Id, drop.Sender);
        var error = await _events.NextAsync<ErrorEvent>();
        Assert.Equal((BrokerErrorCode)code, error.Code);
    }

    [Theory]
    [InlineData("version-select-first", "00000016085a45454b0000000000004000800000000000000601")]
    [InlineData("originator-ack-first", "000000010c")]
    [InlineData("zero-length-frame", "00000000")]
    [InlineData("unframed-garbage", "474152424147452147415242414745 21")]
    [InlineData("http-get", "474554202f20485454502f312e310d0a486f73743a206c6f63616c686f73740d0a0d0a")]
    [InlineData("oversized-7fffffff", "7fffffff00000000000000000000000000000000")]
    [InlineData("oversized-00100000", "00100000065a45454b000000000000400080000000000000110101")]
    [InlineData("length-ffffffff-4096", "ffffffff")]
    [InlineData("length-fffffffc-8", "fffffffc0000000000000000")]
    public async Task Pre_handshake_garbage_is_closed_promptly_without_hanging(string test, string hex)
    {
        await using var raw = await RawPeer.ConnectAsync(_port);
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        if (test == "length-ffffffff-4096")
        {
            bytes = [.. bytes, .. new byte[4096]]; // this kills a real Broker node (golden README, "CRASH")
        }

        await raw.SendRawAsync(bytes);
        var frames = await raw.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HandshakeMessage.Probe(), frames[0]);
        Assert.All(frames.Skip(1), f => Assert.Equal((byte)HandshakeType.DropConn, f[0]));
        await _events.NextAsync<ErrorEvent>();
    }

    [Fact]
    public async Task A_silent_client_is_closed_after_the_handshake_timeout()
    {
        await using var raw = await RawPeer.ConnectAsync(_port);
        var frames = await raw.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Single(frames); // the probe
        var error = await _events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.PeerTimeout);
        Assert.Contains("did not complete", error.Message);
    }

    [Fact]
    public async Task A_stall_mid_handshake_is_closed_after_the_handshake_timeout()
    {
        await using var raw = await RawPeer.ConnectAsync(_port);
        await raw.SendAsync(HandshakeMessage.Hello(raw.Id)); // then never send version_select
        var frames = await raw.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, frames.Count); // probe + hello
        await _events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.PeerTimeout);
    }

    [Fact]
    public async Task Hello_with_a_version_range_containing_1_and_trailing_bytes_is_accepted()
    {
        await using var raw = await RawPeer.ConnectAsync(_port);
        await raw.SendRawAsync(Convert.FromHexString("0000001a065a45454b00000000000040008000000000000001010278797a"));
        var hello = await raw.ReadHandshakeSkippingProbesAsync();
        Assert.Equal(HandshakeType.Hello, hello.Type);
        Assert.Equal(_a.Id, hello.Sender);
    }

    [Fact]
    public async Task Redundant_connection_when_we_are_the_originator_gets_drop_conn_39()
    {
        var id = RawPeer.LargeId(1);
        await using var first = await RawPeer.HandshakeAsResponderAsync(_port, id, "/x");
        await using var second = await RawPeer.ConnectAsync(_port, id);
        await second.SendAsync(HandshakeMessage.Hello(id));
        var drop = await second.ReadHandshakeSkippingProbesAsync();
        Assert.Equal(HandshakeType.DropConn, drop.Type);
        Assert.Equal(BrokerErrorCode.RedundantConnection, drop.Code);
        Assert.Equal("redundant connection", drop.Description);
        await first.PingAsync("first-still-ok?");
    }

    [Fact]
    public async Task Redundant_connection_when_we_are_the_responder_gets_drop_conn_40()
    {
        var id = RawPeer.SmallId(0x10);
        await using var first = await RawPeer.HandshakeAsync(_port, id, "/x");
        await using var second = await RawPeer.ConnectAsync(_port, id);
        await second.SendAsync(HandshakeMessage.Hello(id));
        Assert.Equal(HandshakeType.Hello, (await second.ReadHandshakeSkippingProbesAsync()).Type);
        await second.SendAsync(HandshakeMessage.VersionSelect(id), HandshakeMessage.OriginatorSyn(["/x"]));
        var drop = await second.ReadHandshakeSkippingProbesAsync();
        Assert.Equal(BrokerErrorCode.LogicError, drop.Code);
        Assert.Equal("detected redundant connection at the responder", drop.Description);
        await first.PingAsync("first-still-ok?");
    }

    [Fact]
    public async Task Operational_garbage_is_dropped_and_counted_and_the_connection_stays_usable()
    {
        await using var raw = await RawPeer.HandshakeAsync(_port, RawPeer.SmallId(0x20), "/x");
        await WaitUntilAsync(() => _a.Peers.Count == 2, "A added the raw peer");
        var header = new byte[37];
        raw.Id.WriteTo(header);
        var bad = new List<byte[]>
        {
            Frame([]),                                                     // zero length: ignored
            Frame(Convert.FromHexString("00010203040506070809")),          // shorter than an envelope
            Frame(HandshakeMessage.Hello(raw.Id)),                         // a handshake frame
            Frame(Envelope(7, "/test", [0])),                              // unknown envelope type
            Frame(Envelope(1, "/test", [0x0f, 0])),                        // bad data tag
            Frame(Envelope(1, "/test", [0x02, 0, 0, 0])),                  // truncated count
            Frame([.. Envelope(1, "/test", [0x02]).AsSpan(0, 35), 0xff, 0xff, 1, 2, 3, 4, 5]), // topic length past the end
            Frame(Envelope(1, "/test", [0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f])), // absurd vector length
            Frame(Envelope(3, "<$>", [0x05, 1])),                          // truncated routing update
        };
        foreach (var f in bad)
        {
            await raw.SendRawAsync(f);
        }

        await raw.PingAsync();
        await raw.SendDataAsync("/test/ok", BrokerData.Count(42));
        var m = await _aSub.ReceiveAsync(Deadline);
        Assert.Equal("/test/ok", m.Topic);
        var peer = _a.GetStatistics().Peers.Single(p => p.Peer.Id == raw.Id);
        Assert.Equal(bad.Count - 1, peer.MalformedFrames); // every frame but the (ignored) zero-length one
        await _events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage);

        static byte[] Envelope(byte type, string topic, byte[] body)
        {
            var topicBytes = System.Text.Encoding.UTF8.GetBytes(topic);
            var e = new byte[37 + topicBytes.Length + body.Length];
            RawPeer.SmallId(0x20).WriteTo(e);
            e[32] = type;
            BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(33), 16);
            BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(35), (ushort)topicBytes.Length);
            topicBytes.CopyTo(e, 37);
            body.CopyTo(e, 37 + topicBytes.Length);
            return e;
        }
    }

    [Theory]
    [InlineData(0x7ffffffcu)]
    [InlineData(0xffffffffu)]
    [InlineData(0x01000001u)]
    public async Task An_oversized_operational_frame_closes_that_connection_only(uint length)
    {
        await using var raw = await RawPeer.HandshakeAsync(_port, RawPeer.SmallId(0x30), "/x");
        var head = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(head, length);
        await raw.SendRawAsync([.. head, .. new byte[16]]);
        await raw.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        await _events.NextAsync<ErrorEvent>(e => e.Code == BrokerErrorCode.InvalidMessage);
        await _events.StatusAsync(StatusCode.PeerLost);
    }

    [Fact]
    public async Task Fuzzed_frames_never_hurt_the_endpoint()
    {
        int rounds = Environment.GetEnvironmentVariable("BROKER_LONG_TESTS") == "1" ? 2000 : 60;
        var random = new Random(1234);
        for (int i = 0; i < rounds; i++)
        {
            bool afterHandshake = i % 2 == 1;
            await using var raw = afterHandshake
                ? await RawPeer.HandshakeAsync(_port, RawPeer.SmallId((byte)(0x40 + (i % 100))), "/x")
                : await RawPeer.ConnectAsync(_port);
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);
            if (afterHandshake && payload.Length >= 37)
            {
                payload[32] = (byte)random.Next(0, 7);
                BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(35), (ushort)random.Next(0, payload.Length - 36));
            }

            byte[] frame = random.Next(4) == 0 ? payload : Frame(payload);
            await raw.SendRawAsync(frame);
        }

        await using var check = await RawPeer.HandshakeAsync(_port, RawPeer.SmallId(0xf0), "/x");
        await check.PingAsync();
    }

    private static byte[] Frame(byte[] payload)
    {
        var f = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(f, (uint)payload.Length);
        payload.CopyTo(f, 4);
        return f;
    }
}
