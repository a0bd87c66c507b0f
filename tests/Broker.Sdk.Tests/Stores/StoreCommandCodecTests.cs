using System.Buffers.Binary;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Stores;
using Broker.Stores.Engine;
using Broker.Stores.Wire;
using CsCheck;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

public class StoreCommandCodecTests
{
    internal sealed record GoldenCommand(int Seq, string Direction, string Topic, byte[] Payload, string Annotation);

    /// <summary>Every command frame of store.tsv: envelope stripped, payload = the serialized internal_command.</summary>
    internal static List<GoldenCommand> GoldenCommands()
    {
        var list = new List<GoldenCommand>();
        bool header = false;
        foreach (var line in File.ReadAllLines(Golden.Path("native", "store.tsv")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (!header)
            {
                header = true;
                continue;
            }

            var cells = line.Split('\t');
            if (cells[4] != "command")
            {
                continue;
            }

            var frame = Convert.FromHexString(cells[6]);
            int topicLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(35));
            string topic = System.Text.Encoding.UTF8.GetString(frame, 37, topicLength);
            list.Add(new GoldenCommand(int.Parse(cells[0]), cells[2], topic, frame[(37 + topicLength)..], cells[7]));
        }

        return list;
    }

    [Fact]
    public void Every_golden_command_parses_and_reserializes_byte_for_byte()
    {
        var commands = GoldenCommands();
        Assert.True(commands.Count > 100, $"expected the full capture, got {commands.Count} command frames");
        var kinds = new HashSet<CommandKind>();
        foreach (var g in commands)
        {
            var parsed = StoreCommandCodec.Parse(g.Payload);
            kinds.Add(parsed.Content.Kind);
            Assert.Contains($"(variant {(int)parsed.Content.Kind})", g.Annotation);
            Assert.Equal(Convert.ToHexString(g.Payload), Convert.ToHexString(StoreCommandCodec.Serialize(parsed)));
        }

        // The capture has every variant a master and clone exchange in normal operation.
        Assert.Superset(new HashSet<CommandKind>
        {
            CommandKind.Put, CommandKind.PutUnique, CommandKind.PutUniqueResult, CommandKind.Erase, CommandKind.Add,
            CommandKind.Clear, CommandKind.AttachWriter, CommandKind.Keepalive, CommandKind.CumulativeAck,
            CommandKind.Nack, CommandKind.AckClone,
        }, kinds);
    }

    [Fact]
    public void Golden_fields_decode_as_annotated()
    {
        var commands = GoldenCommands();
        var withExpiry = commands.Select(c => StoreCommandCodec.Parse(c.Payload)).First(c => c.Content is PutCommand { Expiry: not null });
        var put = Assert.IsType<PutCommand>(withExpiry.Content);
        Assert.Equal(BrokerData.String("b"), put.Key);
        Assert.Equal(BrokerData.String("x"), put.Value);
        Assert.Equal(30_000_000_000L, put.Expiry);
        Assert.Equal(7UL, put.Publisher.Object);

        var add = commands.Select(c => StoreCommandCodec.Parse(c.Payload).Content).OfType<AddCommand>().Single();
        Assert.Equal(BrokerDataKind.Count, add.InitType);
        Assert.Equal(BrokerData.Count(2), add.Value);

        var unique = commands.Select(c => StoreCommandCodec.Parse(c.Payload).Content).OfType<PutUniqueCommand>().First();
        Assert.Equal(8UL, unique.Who.Object);
        Assert.Equal(1UL, unique.RequestId);

        var nack = commands.Select(c => StoreCommandCodec.Parse(c.Payload).Content).OfType<NackCommand>().First();
        Assert.Equal(new ulong[] { 0 }, nack.Seqs);
    }

    [Fact]
    public void Every_variant_including_extensions_round_trips()
    {
        var a = new EntityId(EndpointId.NewId(), 7);
        var b = new EntityId(EndpointId.NewId(), 9);
        CommandContent[] all =
        [
            new PutCommand("k", 1UL, 5, a), new PutCommand("k", BrokerData.None, null, a),
            new PutUniqueCommand("k", "v", null, b, 3, a), new PutUniqueResultCommand(true, b, 3, a),
            new EraseCommand("k", a), new ExpireCommand(BrokerData.Vector(1UL, "x"), a),
            new AddCommand("k", 2L, BrokerDataKind.Integer, 10, a), new SubtractCommand("k", 2.5, null, a),
            new ClearCommand(a), new AttachWriterCommand(1, 5), new KeepaliveCommand(ulong.MaxValue),
            new CumulativeAckCommand(3), new NackCommand([1, 2, 3]), new RetransmitFailedCommand(4),
            new AckCloneCommand(1, 5, [new("a", 1UL), new("b", BrokerData.Set("x", "y"))]),
            new SdkRequestCommand(b, 42, StoreOp.PushLeft, "k", BrokerData.Vector("a"), 3UL, StoreExpiry.SinceLastModification(TimeSpan.FromSeconds(2)), a),
            new SdkRequestCommand(b, 0, StoreOp.Keys, default, default, default, null, a),
            new SdkResponseCommand(b, 42, BrokerErrorCode.TypeClash, BrokerData.None, "cannot add a string to a count"),
        ];
        foreach (var content in all)
        {
            var command = new StoreCommand(11, a, b, content);
            var bytes = StoreCommandCodec.Serialize(command);
            var back = StoreCommandCodec.Parse(bytes);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(StoreCommandCodec.Serialize(back)));
            Assert.Equal(content.Kind, back.Content.Kind);
        }
    }

    [Fact]
    public void Every_truncation_of_every_golden_command_is_a_decode_error()
    {
        foreach (var g in GoldenCommands().DistinctBy(c => Convert.ToHexString(c.Payload)))
        {
            for (int n = 0; n < g.Payload.Length; n++)
            {
                Assert.Throws<BrokerDecodeException>(() => StoreCommandCodec.Parse(g.Payload.AsSpan(0, n)));
            }

            var longer = g.Payload.Append((byte)0).ToArray();
            Assert.Throws<BrokerDecodeException>(() => StoreCommandCodec.Parse(longer));
        }
    }

    [Fact]
    public void Random_and_mutated_bytes_only_ever_raise_decode_errors()
    {
        var seeds = GoldenCommands().Select(c => c.Payload).DistinctBy(Convert.ToHexString).ToArray();
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 200], Gen.Byte, Gen.Byte.Array[0, 64])
            .Sample((i, pos, value, tail) =>
            {
                var bytes = seeds[i].ToArray();
                bytes[pos % bytes.Length] = value;
                bytes = pos % 3 == 0 ? bytes.Concat(tail).ToArray() : bytes;
                try
                {
                    StoreCommandCodec.Parse(bytes);
                }
                catch (BrokerDecodeException)
                {
                }
            }, iter: 20_000);
    }

    [Fact]
    public void Huge_counts_are_rejected_before_allocating()
    {
        var header = new byte[57];
        header[56] = (byte)CommandKind.Nack;
        var nack = header.Concat(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x07 }).ToArray();
        Assert.Throws<BrokerDecodeException>(() => StoreCommandCodec.Parse(nack));
        header[56] = (byte)CommandKind.AckClone;
        var ack = header.Concat(new byte[10]).Concat(new byte[] { 0xff, 0xff, 0x3f }).ToArray();
        Assert.Throws<BrokerDecodeException>(() => StoreCommandCodec.Parse(ack));
    }
}
