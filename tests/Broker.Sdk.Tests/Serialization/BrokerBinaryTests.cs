using System.Buffers;
using System.Net;
using Broker.Data;
using Broker.Errors;
using Broker.Serialization;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>The binary codec's framing rules, error handling and limits (spec §1.1).</summary>
public class BrokerBinaryTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty));

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(1u, "01")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(16383u, "FF7F")]
    [InlineData(16384u, "808001")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void Varbyte_is_little_endian_base_128(uint value, string hex)
    {
        Span<byte> buffer = stackalloc byte[5];
        int n = BrokerBinary.WriteVarByte(value, buffer);

        Assert.Equal(hex, Convert.ToHexString(buffer[..n]));
        Assert.Equal(n, BrokerBinary.VarByteSize(value));
        Assert.True(BrokerBinary.TryReadVarByte(Hex(hex + "AA"), out uint read, out int used));
        Assert.Equal(value, read);
        Assert.Equal(n, used);
    }

    [Theory]
    [InlineData("")] // truncated
    [InlineData("80")]
    [InlineData("FFFFFFFF")]
    [InlineData("FFFFFFFF10")] // more than 32 bits
    [InlineData("FFFFFFFFFF01")] // more than 5 bytes
    public void Varbyte_reader_rejects_truncated_or_oversized_lengths(string hex)
    {
        Assert.False(BrokerBinary.TryReadVarByte(Hex(hex), out _, out _));
    }

    [Fact]
    public void Non_minimal_varbytes_are_accepted_like_Broker_does()
    {
        Assert.Equal(BrokerData.String(""), BrokerBinary.Decode(Hex("05 80 00")));
        Assert.Equal(BrokerData.Vector(BrokerData.None), BrokerBinary.Decode(Hex("0E 81 80 00 00")));
    }

    [Fact]
    public void Long_strings_use_multi_byte_lengths()
    {
        var value = BrokerData.String(new string('x', 300));
        byte[] bytes = BrokerBinary.Encode(value);

        Assert.Equal("05AC02", Convert.ToHexString(bytes, 0, 3));
        Assert.Equal(303, bytes.Length);
        Assert.Equal(value, BrokerBinary.Decode(bytes));
    }

    [Fact]
    public void Booleans_read_any_non_zero_byte_as_true_like_Broker()
    {
        Assert.Equal(BrokerData.Boolean(true), BrokerBinary.Decode(Hex("01 02")));
        Assert.Equal(BrokerData.Boolean(true), BrokerBinary.Decode(Hex("01 FF")));
        Assert.Equal("0101", Convert.ToHexString(BrokerBinary.Encode(BrokerBinary.Decode(Hex("01 FF")))));
    }

    [Fact]
    public void Subnet_host_bits_on_the_wire_are_masked()
    {
        var value = BrokerBinary.Decode(Hex("07 00000000000000000000FFFF0A010203 68"));
        Assert.Equal("10.0.0.0/8", value.ToString());
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "truncated input" },
        { "0F", "unknown type tag 15" },
        { "FF", "unknown type tag 255" },
        { "01", "truncated" },
        { "02 00000000000000", "truncated" },
        { "04 FFFF", "truncated" },
        { "05 05 6865", "truncated" },
        { "05 FFFFFFFF0F", "bytes" },
        { "05 FFFFFFFFFF", "length" },
        { "06 0000", "truncated" },
        { "07 00000000000000000000000000000000", "truncated" },
        { "07 00000000000000000000000000000000 81", "invalid subnet length 129" },
        { "07 00000000000000000000FFFF0A000000 5F", "invalid subnet length 95" },
        { "08 0050", "truncated" },
        { "08 0050 04", "invalid port protocol 4" },
        { "0B 03 4142", "truncated" },
        { "0C 02 00", "collection claims 2 elements" },
        { "0D 01 00", "collection claims 1 elements" },
        { "0E 01", "collection claims 1 elements" },
        { "0E 02 00 0F", "unknown type tag 15" },
        { "00 00", "trailing" },
        { "0E 00 00", "trailing" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_throws_only_BrokerDecodeException(string hex, string messagePart)
    {
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex(hex)));

        Assert.Contains(messagePart, ex.Message);
        Assert.Equal(BrokerErrorCode.DeserializationFailed, ex.Code);
        Assert.InRange(ex.Offset, 0, Math.Max(0, hex.Replace(" ", string.Empty).Length / 2));
    }

    [Fact]
    public void Decode_with_consumed_stops_after_one_value()
    {
        var value = BrokerBinary.Decode(Hex("0101 0100"), out int consumed);

        Assert.Equal(BrokerData.Boolean(true), value);
        Assert.Equal(2, consumed);
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0101 0100")));
        Assert.Equal(2, ex.Offset);
    }

    [Fact]
    public void Multi_segment_input_with_trailing_bytes_is_rejected()
    {
        var sequence = TestSupport.TestSequences.Split(Hex("0E 01 02 0000000000000001 00"), 4);
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(sequence));
    }

    [Fact]
    public void A_count_of_two_billion_in_a_small_buffer_is_rejected_before_allocating()
    {
        byte[] bytes = Hex("0E FFFFFFFF07 00000000000000000000000000"); // 2^31-1 elements in 20 bytes
        var limits = new BrokerDecodeLimits { MaxCollectionCount = int.MaxValue };
        BrokerBinary.Decode(Hex("00")); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(bytes, limits));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("claims 2147483647 elements", ex.Message);
        Assert.True(allocated < 16_384, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_count_of_four_billion_is_rejected_by_the_default_limit()
    {
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0C FFFFFFFF0F 000000000000000000000000")));
        Assert.Contains("4294967295", ex.Message);
    }

    [Fact]
    public void A_huge_string_length_in_a_small_buffer_is_rejected_before_allocating()
    {
        byte[] bytes = Hex("05 FFFFFF7F 616263");
        var limits = new BrokerDecodeLimits { MaxStringBytes = int.MaxValue };
        BrokerBinary.Decode(Hex("00"));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(bytes, limits));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16_384);
    }

    [Fact]
    public void Limits_on_collection_size_and_string_length_are_enforced()
    {
        var limits = new BrokerDecodeLimits { MaxCollectionCount = 2, MaxStringBytes = 3 };

        Assert.Equal(2, BrokerBinary.Decode(Hex("0E 02 00 00"), limits).Length);
        Assert.Contains("exceeds the limit of 2", Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0E 03 00 00 00"), limits)).Message);
        Assert.Contains("exceeds the limit of 2", Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0D 03 0000 0000 0000"), limits)).Message);
        Assert.Equal("abc", BrokerBinary.Decode(Hex("05 03 616263"), limits).AsString());
        Assert.Contains("exceeds the limit of 3", Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("05 04 61626364"), limits)).Message);
        Assert.Contains("exceeds the limit of 3", Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0B 04 61626364"), limits)).Message);
    }

    [Fact]
    public void Nesting_depth_is_limited()
    {
        byte[] Nested(int depth)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < depth; i++)
            {
                bytes.AddRange([0x0E, 0x01]);
            }

            bytes.Add(0x00);
            return bytes.ToArray();
        }

        Assert.Equal(BrokerDataKind.Vector, BrokerBinary.Decode(Nested(64)).Kind); // the default limit is 64
        Assert.Contains("nesting deeper than the limit of 64", Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Nested(65))).Message);

        var flat = new BrokerDecodeLimits { MaxDepth = 0 };
        Assert.Equal(BrokerData.Count(1), BrokerBinary.Decode(Hex("02 0000000000000001"), flat));
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0E 00"), flat));
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0C 00"), flat));
        Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(Hex("0D 00"), flat));
    }

    [Fact]
    public void A_generous_depth_limit_still_never_overflows_the_stack()
    {
        var bytes = new byte[(2 * 500_000) + 1];
        for (int i = 0; i < bytes.Length - 1; i += 2)
        {
            bytes[i] = 0x0E;
            bytes[i + 1] = 0x01;
        }

        var limits = new BrokerDecodeLimits { MaxDepth = int.MaxValue };
        var ex = Assert.Throws<BrokerDecodeException>(() => BrokerBinary.Decode(bytes, limits));
        Assert.Contains("stack", ex.Message);
    }

    [Fact]
    public void Limits_reject_negative_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerDecodeLimits { MaxDepth = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerDecodeLimits { MaxCollectionCount = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrokerDecodeLimits { MaxStringBytes = -1 });
        Assert.Equal(64, BrokerDecodeLimits.Default.MaxDepth);
    }

    [Fact]
    public void Encode_into_a_buffer_writer_appends()
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(2, BrokerBinary.Encode(BrokerData.Boolean(true), writer));
        Assert.Equal(1, BrokerBinary.Encode(BrokerData.None, writer));
        Assert.Equal("010100", Convert.ToHexString(writer.WrittenSpan));
    }

    [Fact]
    public void Write_needs_at_least_the_encoded_size()
    {
        var value = BrokerData.Vector("abc", 1UL, BrokerData.Table((IPAddress.Loopback, BrokerPort.Tcp(1))), BrokerData.Set(2.5));
        int size = BrokerBinary.GetEncodedSize(value);
        var buffer = new byte[size];
        Assert.Equal(size, BrokerBinary.Write(value, buffer));
        Assert.Equal(value, BrokerBinary.Decode(buffer));

        // Every shorter destination is refused cleanly.
        for (int n = 0; n < size; n++)
        {
            Assert.False(BrokerBinary.TryWrite(value, new byte[n], out int written));
            Assert.Equal(0, written);
            Assert.Throws<ArgumentException>(() => BrokerBinary.Write(value, new byte[n]));
        }

        Assert.True(BrokerBinary.TryWrite(value, new byte[size + 3], out int all));
        Assert.Equal(size, all);
    }

    [Fact]
    public void Encode_into_a_writer_with_small_buffers_sizes_the_value_first()
    {
        var value = BrokerData.Vector(new string('x', 1000), 1UL);
        var writer = new TinyWriter();
        int n = BrokerBinary.Encode(value, writer);
        Assert.Equal(BrokerBinary.GetEncodedSize(value), n);
        Assert.Equal(BrokerBinary.Encode(value), writer.Written.ToArray());
    }

    // Hands out 8-byte spans unless asked for more, like a pipe with small segments.
    private sealed class TinyWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[8];

        public List<byte> Written { get; } = [];

        public void Advance(int count) => Written.AddRange(_buffer.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer = new byte[Math.Max(8, sizeHint)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    [Fact]
    public void Empty_containers_and_strings_share_no_state()
    {
        var a = BrokerBinary.Decode(Hex("0E 00"));
        var b = BrokerBinary.Decode(Hex("0C 00"));
        Assert.Equal(0, a.Length);
        Assert.Equal(0, b.Length);
        Assert.Equal(BrokerData.Vector(), a);
        Assert.Equal(BrokerData.Set(), b);
        Assert.Equal(BrokerData.Table(), BrokerBinary.Decode(Hex("0D 00")));
        Assert.Equal(BrokerData.String(""), BrokerBinary.Decode(Hex("05 00")));
        Assert.Equal(BrokerData.EnumValue(""), BrokerBinary.Decode(Hex("0B 00")));
    }

    [Fact]
    public void Tables_with_repeated_keys_on_the_wire_keep_the_last_value()
    {
        var value = BrokerBinary.Decode(Hex("0D 03 050161 0101 050162 0100 050161 0100"));
        Assert.Equal("{a -> F, b -> F}", value.ToString());
    }
}
