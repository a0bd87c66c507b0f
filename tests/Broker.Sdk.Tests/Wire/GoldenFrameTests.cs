using System.Buffers;
using System.Buffers.Binary;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;
using Broker.Wire;
using Xunit;

namespace Broker.Sdk.Tests.Wire;

/// <summary>Replays every frame captured from real Broker nodes: we decode each one and re-encode the same bytes.</summary>
public sealed class GoldenFrameTests
{
    private static readonly string[] CaptureFiles =
    [
        "handshake_connector-smaller.tsv", "handshake_connector-larger.tsv", "data_samples.tsv", "store.tsv",
        "lifecycle_rawpeer.tsv", "lifecycle_quit-A.tsv", "lifecycle_quit-B.tsv", "lifecycle_kill-A.tsv",
        "lifecycle_kill-B.tsv", "lifecycle_unpeer-by-A.tsv", "dropconn.tsv",
    ];

    private static readonly HashSet<string> HandshakeTypes =
        ["hello", "probe", "version_select", "drop_conn", "originator_syn", "responder_syn_ack", "originator_ack"];

    private static readonly HashSet<string> OperationalTypes = ["data", "command", "routing_update", "ping", "pong"];

    /// <summary>(file, seq, dir, type, payload) of every captured frame.</summary>
    internal static IEnumerable<(string File, string Seq, string Dir, string Type, byte[] Payload)> Frames(string file)
    {
        string[]? header = null;
        foreach (var line in Golden.ReadLines("native", file))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var cells = line.Split('\t');
            if (header is null)
            {
                header = cells;
                continue;
            }

            string Cell(string name) => cells[Array.IndexOf(header, name)];
            string type = Cell("type");
            if (HandshakeTypes.Contains(type) || OperationalTypes.Contains(type))
            {
                yield return (file, Cell("seq"), Cell("dir"), type, Convert.FromHexString(Cell("hex")));
            }
        }
    }

    public static TheoryData<string> Files() => new(CaptureFiles);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_captured_frame_decodes_and_reencodes_to_the_same_bytes(string file)
    {
        int count = 0;
        foreach (var (_, seq, dir, type, payload) in Frames(file))
        {
            // dropconn.tsv holds the hand-made client's malformed frames too: only the anchor's (A>R) are Broker's.
            if (file == "dropconn.tsv" && !dir.StartsWith('A'))
            {
                continue;
            }

            string where = $"{file} seq {seq} ({type})";
            byte[] again = HandshakeTypes.Contains(type) ? ReencodeHandshake(payload, where) : ReencodeOperational(payload, type, where);
            Assert.True(payload.AsSpan().SequenceEqual(again), $"{where}: re-encoded {Convert.ToHexString(again)} != captured {Convert.ToHexString(payload)}");
            count++;
        }

        Assert.True(count > 0, $"no frames found in {file}");
    }

    [Fact]
    public void Drop_conn_frames_carry_brokers_codes_and_texts()
    {
        var drops = Frames("dropconn.tsv").Where(f => f.Type == "drop_conn" && f.Dir.StartsWith('A')).ToList();
        Assert.NotEmpty(drops);
        var seen = new HashSet<(Errors.BrokerErrorCode, string)>();
        foreach (var d in drops)
        {
            Assert.Equal(HandshakeParseResult.Ok, HandshakeMessage.TryParse(d.Payload, out var m));
            seen.Add((m!.Code, m.Description));
            var ours = HandshakeMessage.DropConn(m.Sender, m.Code, m.Description);
            Assert.Equal(d.Payload, ours);
        }

        Assert.Contains((Errors.BrokerErrorCode.WrongMagicNumber, "wrong magic number"), seen);
        Assert.Contains((Errors.BrokerErrorCode.PeerIncompatible, "unsupported versions offered"), seen);
        Assert.Contains((Errors.BrokerErrorCode.InvalidMessage, "invalid message type tag"), seen);
        Assert.Contains((Errors.BrokerErrorCode.InvalidMessage, "failed to parse hello_msg"), seen);
        Assert.Contains((Errors.BrokerErrorCode.RedundantConnection, "redundant connection"), seen);
        Assert.Contains((Errors.BrokerErrorCode.LogicError, "detected redundant connection at the responder"), seen);
    }

    [Fact]
    public void Our_handshake_for_a_captured_id_is_byte_identical()
    {
        // handshake_connector-smaller: B=0d952a54-... is the originator with filter ['/test'].
        var frames = Frames("handshake_connector-smaller.tsv").ToList();
        var b = EndpointId.Parse("0d952a54-03df-50da-99f2-04ff7dd0f526");
        var a = EndpointId.Parse("1ce8b909-5ec4-5346-8201-eb8caaeb1074");
        Assert.Equal(frames.First(f => f.Type == "hello" && f.Dir == "B>A").Payload, HandshakeMessage.Hello(b));
        Assert.Equal(frames.First(f => f.Type == "hello" && f.Dir == "A>B").Payload, HandshakeMessage.Hello(a));
        Assert.Equal(frames.First(f => f.Type == "probe").Payload, HandshakeMessage.Probe());
        Assert.Equal(frames.First(f => f.Type == "version_select").Payload, HandshakeMessage.VersionSelect(b));
        Assert.Equal(frames.First(f => f.Type == "originator_syn").Payload, HandshakeMessage.OriginatorSyn(["/test"]));
        Assert.Equal(frames.First(f => f.Type == "responder_syn_ack").Payload, HandshakeMessage.ResponderSynAck(["/test"]));
        Assert.Equal(frames.First(f => f.Type == "originator_ack").Payload, HandshakeMessage.OriginatorAck());

        // The routing update A>B with filter ['/from-a', '/test'].
        var update = frames.First(f => f.Type == "routing_update" && f.Dir == "A>B").Payload;
        var filter = new List<string>();
        Peering_extend(filter, "/test");
        Peering_extend(filter, "/from-a");
        var body = new byte[FilterCodec.GetSize(filter)];
        FilterCodec.Write(filter, body);
        var frame = FrameArena.RawFrame(a, b, EnvelopeType.RoutingUpdate, WireFormat.DefaultTtl, WireFormat.ReservedTopic, body);
        Assert.Equal(update, frame.Span[4..].ToArray());
    }

    private static void Peering_extend(List<string> filter, string entry) => Broker.Peering.RoutingFilter.Extend(filter, entry);

    private static byte[] ReencodeHandshake(byte[] payload, string where)
    {
        Assert.True(HandshakeMessage.TryParse(payload, out var m) == HandshakeParseResult.Ok, $"{where}: does not parse");
        return m!.Type switch
        {
            HandshakeType.Hello => HandshakeMessage.Hello(m.Sender, m.MinVersion, m.MaxVersion),
            HandshakeType.Probe => HandshakeMessage.Probe(m.Magic),
            HandshakeType.VersionSelect => HandshakeMessage.VersionSelect(m.Sender, m.Version),
            HandshakeType.DropConn => HandshakeMessage.DropConn(m.Sender, m.Code, m.Description),
            HandshakeType.OriginatorSyn => HandshakeMessage.OriginatorSyn(m.Filter),
            HandshakeType.ResponderSynAck => HandshakeMessage.ResponderSynAck(m.Filter),
            _ => HandshakeMessage.OriginatorAck(),
        };
    }

    private static byte[] ReencodeOperational(byte[] payload, string type, string where)
    {
        Assert.True(Envelope.TryParse(payload, out var env), $"{where}: envelope does not parse");
        Assert.Equal(type, env.Type switch
        {
            EnvelopeType.Data => "data",
            EnvelopeType.Command => "command",
            EnvelopeType.RoutingUpdate => "routing_update",
            EnvelopeType.Ping => "ping",
            _ => "pong",
        });
        // Re-encoded the way queued frames are (FrameArena), so the production encoder is what is compared.
        ReadOnlyMemory<byte> frame;
        string topic = System.Text.Encoding.UTF8.GetString(env.Topic);
        if (env.Type == EnvelopeType.Data)
        {
            var data = BrokerBinary.Decode(env.Payload);
            frame = FrameArena.DataFrame(env.Sender, env.Receiver, env.Ttl, topic, data);
        }
        else
        {
            if (env.Type == EnvelopeType.RoutingUpdate)
            {
                Assert.True(FilterCodec.TryRead(env.Payload, out var filter, out int used) && used == env.Payload.Length, $"{where}: filter does not parse");
                Assert.Equal(filter.OrderBy(f => f, StringComparer.Ordinal), filter);
            }

            frame = FrameArena.RawFrame(env.Sender, env.Receiver, env.Type, env.Ttl, topic, env.Payload);
        }

        var framed = frame.Span;
        Assert.Equal((uint)payload.Length, BinaryPrimitives.ReadUInt32BigEndian(framed));
        return framed[4..].ToArray();
    }
}
