using System.Collections.Immutable;
using Broker.Data;
using Broker.Serialization;
using Broker.Zeek;
using Xunit;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// <see cref="BrokerWriter"/> and the values that write themselves must produce exactly the bytes the
/// <see cref="BrokerData"/> encoder produces for the same value.
/// </summary>
public sealed class BrokerWriterTests
{
    public static TheoryData<string> Texts => new()
    {
        "",
        "hello",
        "hëllo wörld",
        new string('x', 42),        // the longest text of the one-pass path
        new string('é', 42),        // 84 UTF-8 bytes, still one length byte
        new string('€', 42),        // 126 UTF-8 bytes
        new string('x', 43),        // counted first
        new string('€', 43),        // 129 bytes: a two-byte length
        new string('y', 5000),
        "lone \uD800 surrogate",    // replaced by U+FFFD, as BrokerData.String does
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void WriteString_matches_the_BrokerData_encoding(string text)
    {
        var expected = BrokerBinary.Encode(BrokerData.String(text));
        Assert.Equal(expected, Write((ref BrokerWriter w) => w.WriteString(text)));
        Assert.Equal(expected, Write((ref BrokerWriter w) => w.WriteString(System.Text.Encoding.UTF8.GetBytes(text))));
    }

    [Fact]
    public void Scalars_match_the_BrokerData_encoding()
    {
        foreach (bool b in new[] { false, true })
        {
            Assert.Equal(BrokerBinary.Encode(BrokerData.Boolean(b)), Write((ref BrokerWriter w) => w.WriteBoolean(b)));
        }

        foreach (ulong c in new[] { 0UL, 42UL, 0x0102030405060708UL, ulong.MaxValue })
        {
            Assert.Equal(BrokerBinary.Encode(BrokerData.Count(c)), Write((ref BrokerWriter w) => w.WriteCount(c)));
        }

        foreach (long i in new[] { 0L, -1L, long.MinValue, long.MaxValue })
        {
            Assert.Equal(BrokerBinary.Encode(BrokerData.Integer(i)), Write((ref BrokerWriter w) => w.WriteInteger(i)));
        }

        foreach (double r in new[] { 0.0, -0.0, 1.5, double.NaN, double.NegativeInfinity, double.Epsilon, 1e300 })
        {
            Assert.Equal(BrokerBinary.Encode(BrokerData.Real(r)), Write((ref BrokerWriter w) => w.WriteReal(r)));
        }
    }

    [Fact]
    public void A_zeek_event_written_directly_matches_its_tree()
    {
        var args = ImmutableArray.Create(BrokerData.Count(42), BrokerData.String("hello"), BrokerData.Vector(1L, "two"));
        var expected = BrokerBinary.Encode(ZeekEvent.Encode("my_event", args));
        var bytes = Write((ref BrokerWriter w) =>
        {
            w.WriteZeekEventHeader("my_event", 3);
            w.WriteCount(42);
            w.WriteString("hello");
            w.Write(BrokerData.Vector(1L, "two"));
        });
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void ZeekEvent_writes_itself_with_and_without_metadata()
    {
        var plain = new ZeekEvent("e", BrokerData.Count(1), BrokerData.String("x"));
        var stamped = plain with { Metadata = [(ZeekEvent.NetworkTimestampKey, BrokerData.Timestamp(1_700_000_000_000_000_000L)), (9UL, BrokerData.String("m"))] };
        foreach (IBrokerValue value in new[] { plain, stamped, new ZeekEvent("no_args") })
        {
            Assert.Equal(BrokerBinary.Encode(value.ToBrokerData()), Write((ref BrokerWriter w) => value.WriteTo(ref w)));
            Assert.Equal(value.ToBrokerData(), BrokerBinary.Decode(Write((ref BrokerWriter w) => value.WriteTo(ref w))));
        }
    }

    [Fact]
    public void Vector_headers_use_varbyte_counts()
    {
        var elements = Enumerable.Range(0, 300).Select(i => BrokerData.Count((ulong)i)).ToArray();
        var bytes = Write((ref BrokerWriter w) =>
        {
            w.WriteVectorHeader(elements.Length);
            foreach (var e in elements)
            {
                w.Write(e);
            }
        });
        Assert.Equal(BrokerBinary.Encode(BrokerData.Vector(elements)), bytes);
    }

    [Fact]
    public void Running_out_of_room_is_reported_at_every_length_never_thrown()
    {
        var args = ImmutableArray.Create(BrokerData.Count(42), BrokerData.String(new string('z', 60)), BrokerData.String("€uro"));
        IBrokerValue value = new ZeekEvent("my_event", args, []);
        int full = BrokerBinary.GetEncodedSize(value.ToBrokerData());
        for (int room = 0; room < full; room++)
        {
            var writer = new BrokerWriter(new byte[room]);
            value.WriteTo(ref writer);
            Assert.True(writer.Overflowed, $"{room} bytes of {full}");
        }

        var exact = new BrokerWriter(new byte[full]);
        value.WriteTo(ref exact);
        Assert.False(exact.Overflowed);
        Assert.Equal(full, exact.BytesWritten);
    }

    [Fact]
    public void Bad_arguments_throw_typed_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => Write((ref BrokerWriter w) => w.WriteString((string)null!)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref BrokerWriter w) => w.WriteVectorHeader(-1)));
        Assert.Throws<ArgumentNullException>(() => Write((ref BrokerWriter w) => w.WriteZeekEventHeader(null!, 0)));
    }

    private delegate void WriteAction(ref BrokerWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new byte[16 * 1024];
        var writer = new BrokerWriter(buffer);
        write(ref writer);
        Assert.False(writer.Overflowed);
        return buffer.AsSpan(0, writer.BytesWritten).ToArray();
    }
}
