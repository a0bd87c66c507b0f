using System.Net;
using Broker.Data;

namespace Broker.Sdk.Tests.Data;

/// <summary>Broker's total order and equality (spec §1.2), with our documented NaN rule.</summary>
public class BrokerDataOrderingTests
{
    // One value of every type, in Broker's order (by tag number).
    private static readonly BrokerData[] OneOfEachKind =
    [
        BrokerData.None,
        true,
        BrokerData.Count(100),
        BrokerData.Integer(-100),
        BrokerData.Real(-1.5),
        "",
        IPAddress.Parse("255.255.255.255"),
        BrokerData.Subnet(IPAddress.Any, 0),
        BrokerPort.Tcp(0),
        BrokerData.Timestamp(long.MinValue),
        BrokerData.Timespan(long.MinValue),
        BrokerData.EnumValue(""),
        BrokerData.Set(),
        BrokerData.Table(),
        BrokerData.Vector(),
    ];

    [Fact]
    public void Mixed_types_sort_by_tag_number_count_before_integer()
    {
        var shuffled = OneOfEachKind.Reverse().ToArray();
        var set = BrokerData.Set(shuffled);

        Assert.Equal(OneOfEachKind, set.AsSet().ToArray());
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (BrokerDataKind)i), set.AsSet().Select(v => v.Kind));
        Assert.Equal("{nil, T, 100, -100, -1.500000, , 255.255.255.255, 0.0.0.0/0, 0/tcp, -9223372036854775808ns, -9223372036854775808ns, , {}, {}, ()}", set.ToString());
    }

    [Fact]
    public void Every_value_of_a_lower_tag_sorts_first_whatever_its_value()
    {
        for (int i = 0; i < OneOfEachKind.Length; i++)
        {
            for (int j = 0; j < OneOfEachKind.Length; j++)
            {
                Assert.Equal(Math.Sign(i.CompareTo(j)), Math.Sign(OneOfEachKind[i].CompareTo(OneOfEachKind[j])));
            }
        }

        Assert.True(BrokerData.Count(ulong.MaxValue) < BrokerData.Integer(long.MinValue));
    }

    [Fact]
    public void Count_and_integer_are_never_equal()
    {
        Assert.NotEqual(BrokerData.Count(1), BrokerData.Integer(1));
        Assert.Equal(2, BrokerData.Set(BrokerData.Count(1), BrokerData.Integer(1)).Length);
        Assert.NotEqual(BrokerData.Timestamp(5), BrokerData.Timespan(5));
        Assert.NotEqual(BrokerData.String("a"), BrokerData.EnumValue("a"));
    }

    public static TheoryData<BrokerData, BrokerData> StrictlyAscendingPairs() => new()
    {
        { false, true },
        { 0UL, ulong.MaxValue },
        { long.MinValue, -1L },
        { -1L, 0L },
        { double.NegativeInfinity, -1.0 },
        { -1.0, 1.0 },
        { 1.0, double.PositiveInfinity },
        { "B", "a" }, // byte-wise
        { "a", "aa" },
        { "", "\u0001" },
        { BrokerData.String([0x7F]), BrokerData.String([0x80]) }, // unsigned bytes
        { "z", "ä" },
        { IPAddress.IPv6Loopback, IPAddress.Parse("10.0.0.1") }, // memcmp of the 16-byte form
        { IPAddress.Parse("::fffe:ffff:ffff"), IPAddress.Parse("0.0.0.0") },
        { IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2") },
        { IPAddress.Parse("255.255.255.255"), IPAddress.Parse("::1:0:0:0") },
        { BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 8), BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 16) }, // same network: by length
        { BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 16), BrokerData.Subnet(IPAddress.Parse("10.1.0.0"), 16) },
        { BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 32), BrokerData.Subnet(IPAddress.Parse("10.0.0.1"), 32) },
        { BrokerData.Subnet(IPAddress.Parse("10.0.0.0"), 8), BrokerData.Subnet(IPAddress.Parse("2001:db8::"), 32) }, // v4-mapped starts with zeros
        { BrokerPort.Udp(53), BrokerPort.Tcp(80) }, // by number, then protocol
        { BrokerPort.Tcp(80), BrokerPort.Udp(80) },
        { BrokerData.Port(80, PortProtocol.Unknown), BrokerData.Port(80, PortProtocol.Icmp) },
        { BrokerData.Timestamp(-1), BrokerData.Timestamp(0) }, // signed
        { BrokerData.Timespan(long.MinValue), BrokerData.Timespan(long.MaxValue) },
        { BrokerData.EnumValue("A::X"), BrokerData.EnumValue("A::Y") },
        { BrokerData.Vector(), BrokerData.Vector(BrokerData.None) }, // lexicographic, shorter first
        { BrokerData.Vector(1UL), BrokerData.Vector(1UL, 0UL) },
        { BrokerData.Vector(1UL, 9UL), BrokerData.Vector(2UL) },
        { BrokerData.Vector(1UL), BrokerData.Vector(1L) },
        { BrokerData.Set(), BrokerData.Set(1UL) },
        { BrokerData.Set(1UL, 3UL), BrokerData.Set(2UL) },
        { BrokerData.Table(("a", 2UL)), BrokerData.Table(("b", 1UL)) }, // by key first
        { BrokerData.Table(("a", 1UL)), BrokerData.Table(("a", 2UL)) }, // then by value
        { BrokerData.Table(("a", 1UL)), BrokerData.Table(("a", 1UL), ("b", 0UL)) },
        { BrokerData.Vector(BrokerData.Set(1UL)), BrokerData.Vector(BrokerData.Table()) },
    };

    [Theory]
    [MemberData(nameof(StrictlyAscendingPairs))]
    public void Values_of_one_type_follow_Broker_order(BrokerData lower, BrokerData higher)
    {
        Assert.True(lower.CompareTo(higher) < 0, $"{lower} should sort before {higher}");
        Assert.True(higher.CompareTo(lower) > 0);
        Assert.True(lower < higher && higher > lower && lower <= higher && higher >= lower);
        Assert.NotEqual(lower, higher);
        Assert.True(lower != higher);
        Assert.Equal(-1, Math.Sign(BrokerDataComparer.Instance.Compare(lower, higher)));
    }

    // Broker (IEEE comparison) lets NaN corrupt sets. Our rule: every NaN equals every NaN and sorts below every
    // other real (as double.CompareTo does); -0.0 equals 0.0. The order stays total.
    [Fact]
    public void NaN_equals_NaN_and_sorts_below_every_other_real()
    {
        var nan = BrokerData.Real(double.NaN);
        var otherNaN = BrokerData.Real(BitConverter.UInt64BitsToDouble(0x7FF0_0000_0000_0001UL));

        Assert.Equal(nan, otherNaN);
        Assert.Equal(nan.GetHashCode(), otherNaN.GetHashCode());
        Assert.Equal(0, nan.CompareTo(otherNaN));
        Assert.True(nan < BrokerData.Real(double.NegativeInfinity));
        Assert.True(nan > BrokerData.Integer(long.MaxValue)); // still a real: above every integer
        Assert.True(nan < BrokerData.String(""));
    }

    [Fact]
    public void NaN_does_not_corrupt_sets_or_tables()
    {
        var set = BrokerData.Set(1.0, double.NaN, 0.5, double.NaN, 2.0);

        Assert.Equal("{nan, 0.500000, 1.000000, 2.000000}", set.ToString());
        Assert.True(set.SetContains(double.NaN));
        Assert.True(set.SetContains(2.0));

        var table = BrokerData.Table((double.NaN, "first"), (1.0, "one"), (double.NaN, "second"));
        Assert.Equal(2, table.Length);
        Assert.True(table.TryGetTableValue(double.NaN, out var value));
        Assert.Equal("second", value.AsString());
    }

    [Fact]
    public void Negative_zero_equals_zero_and_a_set_keeps_the_first_given()
    {
        var zero = BrokerData.Real(0.0);
        var negativeZero = BrokerData.Real(-0.0);

        Assert.Equal(zero, negativeZero);
        Assert.Equal(zero.GetHashCode(), negativeZero.GetHashCode());

        // Like inserting into Broker's std::set: the first of equal elements stays, whatever the input order.
        Assert.Equal("{-0.000000}", BrokerData.Set(-0.0, 0.0).ToString());
        Assert.Equal("{0.000000}", BrokerData.Set(0.0, -0.0).ToString());
        Assert.Equal("{-0.000000, 1.000000}", BrokerData.Set(1.0, -0.0, 0.0).ToString());
    }

    [Fact]
    public void Sets_are_sorted_without_duplicates_tables_keep_the_last_value()
    {
        var set = BrokerData.Set("b", "a", "b", 1UL, "a");
        Assert.Equal("{1, a, b}", set.ToString());

        var table = BrokerData.Table(("k", 1UL), ("a", 0UL), ("k", 2UL));
        Assert.Equal("{a -> 0, k -> 2}", table.ToString());
        Assert.True(table.TryGetTableValue("k", out var value));
        Assert.Equal(2UL, value.AsCount());
        Assert.False(table.TryGetTableValue("z", out _));
    }

    [Fact]
    public void Subnet_construction_masks_host_bits_so_equal_networks_are_equal()
    {
        var a = BrokerData.Subnet(IPAddress.Parse("10.1.2.3"), 8);
        var b = BrokerData.Subnet(IPAddress.Parse("10.255.0.0"), 8);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), a.AsSubnet());
    }

    [Fact]
    public void IComparable_and_object_equality_agree()
    {
        IComparable boxed = BrokerData.Count(1);
        Assert.True(boxed.CompareTo(BrokerData.Count(2)) < 0);
        Assert.Equal(1, boxed.CompareTo("not broker data"));
        Assert.True(BrokerData.Count(1).Equals((object)BrokerData.Count(1)));
        Assert.False(BrokerData.Count(1).Equals((object)1UL));
        Assert.True(BrokerDataComparer.Instance.Equals(BrokerData.Vector(1UL), BrokerData.Vector(1UL)));
    }

    [Fact]
    public void Containers_with_equal_contents_are_equal_and_hash_alike()
    {
        var a = BrokerData.Vector("x", BrokerData.Set(2UL, 1UL), BrokerData.Table((1L, 0.0)));
        var b = BrokerData.Vector("x", BrokerData.Set(1UL, 2UL, 1UL), BrokerData.Table((1L, -0.0)));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(0, a.CompareTo(b));
    }
}
