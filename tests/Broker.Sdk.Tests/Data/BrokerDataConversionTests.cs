using System.Collections.Immutable;
using System.Net;
using System.Text;
using Broker.Data;
using Broker.Errors;

namespace Broker.Sdk.Tests.Data;

/// <summary>Factories, accessors and conversions between <see cref="BrokerData"/> and natural .NET types.</summary>
public class BrokerDataConversionTests
{
    [Fact]
    public void Default_is_nil()
    {
        BrokerData value = default;
        Assert.True(value.IsNone);
        Assert.Equal(BrokerDataKind.None, value.Kind);
        Assert.Equal(BrokerData.None, value);
        Assert.Equal("nil", value.ToString());
    }

    [Fact]
    public void Implicit_conversions_pick_the_Broker_type_by_signedness()
    {
        BrokerData fromInt = 5;
        BrokerData fromUInt = 5u;
        BrokerData fromLong = 5L;
        BrokerData fromULong = 5UL;
        BrokerData fromDouble = 5.0;
        BrokerData fromFloat = 5.5f;

        Assert.Equal(BrokerDataKind.Integer, fromInt.Kind);
        Assert.Equal(BrokerDataKind.Count, fromUInt.Kind);
        Assert.Equal(BrokerDataKind.Integer, fromLong.Kind);
        Assert.Equal(BrokerDataKind.Count, fromULong.Kind);
        Assert.Equal(BrokerDataKind.Real, fromDouble.Kind);
        Assert.Equal(5.5, fromFloat.AsReal());
    }

    [Fact]
    public void Scalars_round_trip_through_their_NET_types()
    {
        Assert.True((bool)(BrokerData)true);
        Assert.Equal(ulong.MaxValue, (ulong)(BrokerData)ulong.MaxValue);
        Assert.Equal(long.MinValue, (long)(BrokerData)long.MinValue);
        Assert.Equal(-2.5, (double)(BrokerData)(-2.5));
        Assert.Equal("häll\u00f6 😀", (string)(BrokerData)"häll\u00f6 😀");
        Assert.Equal(IPAddress.Parse("10.1.2.3"), (IPAddress)(BrokerData)IPAddress.Parse("10.1.2.3"));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), (IPAddress)(BrokerData)IPAddress.Parse("2001:db8::1"));
        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), (IPNetwork)(BrokerData)IPNetwork.Parse("10.0.0.0/8"));
        Assert.Equal(IPNetwork.Parse("2001:db8::/32"), (IPNetwork)(BrokerData)IPNetwork.Parse("2001:db8::/32"));
        Assert.Equal(BrokerPort.Udp(53), (BrokerPort)(BrokerData)BrokerPort.Udp(53));
        var time = new DateTimeOffset(2026, 11, 28, 18, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);
        Assert.Equal(time, (DateTimeOffset)(BrokerData)time);
        Assert.Equal(TimeSpan.FromTicks(-123_456_789), (TimeSpan)(BrokerData)TimeSpan.FromTicks(-123_456_789));
    }

    [Fact]
    public void Null_references_convert_to_nil()
    {
        BrokerData fromString = (string?)null;
        BrokerData fromAddress = (IPAddress?)null;
        Assert.True(fromString.IsNone);
        Assert.True(fromAddress.IsNone);
        Assert.True(BrokerData.FromObject(null).IsNone);
    }

    [Fact]
    public void Time_keeps_nanoseconds_and_converts_to_NET_at_100ns()
    {
        var ts = BrokerData.Timestamp(1_700_000_000_123_456_789);
        Assert.Equal(1_700_000_000_123_456_789, ts.AsTimestampNanoseconds());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567), ts.AsTimestamp());

        // Before the epoch, the conversion floors (never rounds towards the epoch).
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(-1), BrokerData.Timestamp(-1).AsTimestamp());

        var span = BrokerData.Timespan(-150);
        Assert.Equal(-150, span.AsTimespanNanoseconds());
        Assert.Equal(TimeSpan.FromTicks(-1), span.AsTimespan()); // truncates toward zero

        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(-92_233_720_368_547_759), BrokerData.Timestamp(long.MinValue).AsTimestamp());
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(92_233_720_368_547_758), BrokerData.Timestamp(long.MaxValue).AsTimestamp());
    }

    [Fact]
    public void Times_beyond_64_bit_nanoseconds_are_rejected_clearly()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BrokerData.Timestamp(DateTimeOffset.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => BrokerData.Timestamp(DateTimeOffset.MinValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => BrokerData.Timespan(TimeSpan.MaxValue));
        Assert.Equal(new DateTimeOffset(2262, 1, 1, 0, 0, 0, TimeSpan.Zero), BrokerData.Timestamp(new DateTimeOffset(2262, 1, 1, 0, 0, 0, TimeSpan.Zero)).AsTimestamp());
    }

    [Fact]
    public void Strings_are_bytes_with_a_UTF8_convenience()
    {
        var text = BrokerData.String("ä");
        Assert.Equal(new byte[] { 0xC3, 0xA4 }, text.AsStringBytes().ToArray());
        Assert.Equal(2, text.Length);

        byte[] raw = [0xFF, 0x00, 0x41];
        var binary = BrokerData.String(raw);
        raw[2] = 0x42; // the factory copied
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x41 }, binary.AsStringBytes().ToArray());
        Assert.Equal("\uFFFD\0A", binary.AsString());
        Assert.Equal("Conn::LOG", BrokerData.EnumValue("Conn::LOG").AsEnumName());
    }

    [Fact]
    public void Addresses_store_IPv4_as_v4_mapped_and_give_it_back_as_IPv4()
    {
        var v4 = BrokerData.Address(IPAddress.Parse("1.2.3.4"));
        var mapped = BrokerData.Address(IPAddress.Parse("::ffff:1.2.3.4"));

        Assert.Equal(v4, mapped);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, mapped.AsAddress().AddressFamily);
        Assert.Throws<ArgumentException>(() => BrokerData.AddressFromBytes(new byte[4]));
    }

    [Theory]
    [InlineData("10.0.0.0", 33)]
    [InlineData("10.0.0.0", -1)]
    [InlineData("::", 129)]
    [InlineData("::ffff:10.0.0.0", 64)] // a v4-mapped network is IPv4: at most /32, as in Broker
    public void Subnet_rejects_out_of_range_lengths(string address, int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BrokerData.Subnet(IPAddress.Parse(address), length));
    }

    [Fact]
    public void SubnetFromRaw_gives_Broker_default_subnet_for_invalid_lengths_and_masks_host_bits()
    {
        byte[] v4 = Convert.FromHexString("00000000000000000000FFFF0A010203");
        Assert.Equal("10.1.0.0/16", BrokerData.SubnetFromRaw(v4, 112).ToString());
        Assert.Equal("::/0", BrokerData.SubnetFromRaw(v4, 95).ToString());
        Assert.Equal("::/0", BrokerData.SubnetFromRaw(new byte[16], 129).ToString());
        Assert.Equal("8000::/1", BrokerData.SubnetFromRaw(Enumerable.Repeat((byte)0xFF, 16).ToArray(), 1).ToString());
        Assert.Equal("ffff:ffff:ffff:ffff:8000::/65", BrokerData.SubnetFromRaw(Enumerable.Repeat((byte)0xFF, 16).ToArray(), 65).ToString());
    }

    [Fact]
    public void Accessors_of_the_wrong_type_throw_a_typed_exception()
    {
        var ex = Assert.Throws<BrokerTypeException>(() => BrokerData.Integer(1).AsCount());
        Assert.Equal(BrokerDataKind.Count, ex.Expected);
        Assert.Equal(BrokerDataKind.Integer, ex.Actual);
        Assert.Equal(BrokerErrorCode.TypeClash, ex.Code);
        Assert.Contains("count", ex.Message);
        Assert.Throws<BrokerTypeException>(() => BrokerData.None.AsString());
        Assert.Throws<BrokerTypeException>(() => BrokerData.Set().AsVector());
        Assert.Throws<BrokerTypeException>(() => BrokerData.Set(1UL)[0]);
        Assert.Throws<IndexOutOfRangeException>(() => BrokerData.Vector()[0]);
    }

    [Fact]
    public void Vectors_share_immutable_arrays_and_index()
    {
        var array = ImmutableArray.Create<BrokerData>(1UL, "two");
        var vector = BrokerData.Vector(array);

        Assert.Equal(2, vector.Length);
        Assert.Equal("two", vector[1].AsString());
        Assert.Equal(array, vector.AsVector());
        Assert.True(BrokerData.Vector(default(ImmutableArray<BrokerData>)).AsVector().IsEmpty);
        Assert.Equal(3, BrokerData.Vector(new List<BrokerData> { 1UL, 2UL, 3UL }).Length);
    }

    private enum Color { Red }

    [Fact]
    public void FromObject_maps_NET_values_by_runtime_type()
    {
        Assert.Equal(BrokerData.Count(7), BrokerData.FromObject((byte)7));
        Assert.Equal(BrokerData.Count(7), BrokerData.FromObject((ushort)7));
        Assert.Equal(BrokerData.Count(7), BrokerData.FromObject(7u));
        Assert.Equal(BrokerData.Integer(-7), BrokerData.FromObject((sbyte)-7));
        Assert.Equal(BrokerData.Integer(-7), BrokerData.FromObject((short)-7));
        Assert.Equal(BrokerData.Integer(-7), BrokerData.FromObject(-7));
        Assert.Equal(BrokerData.Real(0.5), BrokerData.FromObject(0.5f));
        Assert.Equal(BrokerData.String("s"), BrokerData.FromObject("s"));
        Assert.Equal(BrokerData.String([1, 2]), BrokerData.FromObject(new byte[] { 1, 2 }));
        Assert.Equal(BrokerData.EnumValue("Red"), BrokerData.FromObject(Color.Red));
        Assert.Equal(BrokerData.Timestamp(0), BrokerData.FromObject(new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)));
        Assert.Equal(BrokerData.Timespan(100), BrokerData.FromObject(TimeSpan.FromTicks(1)));
        Assert.Equal(BrokerData.Vector(1L, 2L), BrokerData.FromObject(new List<int> { 1, 2 }));
        Assert.Equal(BrokerData.Set(1L, 2L), BrokerData.FromObject(new HashSet<int> { 2, 1 }));
        Assert.Equal(BrokerData.Table(("a", 1L)), BrokerData.FromObject(new Dictionary<string, int> { ["a"] = 1 }));
        Assert.Equal(BrokerData.Vector(BrokerData.Vector(BrokerData.None)), BrokerData.FromObject(new object?[] { new object?[] { null } }));
        Assert.Throws<ArgumentException>(() => BrokerData.FromObject(new object()));
    }

    [Fact]
    public void Ports_parse_and_print_Broker_text()
    {
        Assert.Equal(BrokerPort.Tcp(80), BrokerPort.Parse("80/tcp"));
        Assert.Equal(BrokerPort.Tcp(80), BrokerPort.Parse("80")); // a bare number is TCP, as in Broker
        Assert.Equal(new BrokerPort(1, PortProtocol.Unknown), BrokerPort.Parse("1/?"));
        Assert.Equal(new BrokerPort(8, PortProtocol.Icmp), BrokerPort.Parse("8/icmp"));
        Assert.False(BrokerPort.TryParse("80/sctp", out _));
        Assert.False(BrokerPort.TryParse("65536/tcp", out _));
        Assert.False(BrokerPort.TryParse("-1/tcp", out _));
        Assert.Throws<FormatException>(() => BrokerPort.Parse("x"));
        Assert.True(BrokerPort.Udp(53) < BrokerPort.Tcp(80));
        Assert.Equal("65535/udp", BrokerPort.Udp(65535).ToString());
    }

    [Fact]
    public void Copies_are_cheap_values_of_fixed_size()
    {
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<BrokerData>() <= 32);
        var builder = new StringBuilder();
        BrokerData.Vector(1UL).AppendTo(builder);
        Assert.Equal("(1)", builder.ToString());
    }
}
