using System.Globalization;
using System.Net;
using Broker.Data;
using Broker.Sdk.Tests.TestSupport;

namespace Broker.Sdk.Tests.Data;

/// <summary>Broker's <c>to_string</c> text form (spec §1.3; golden column to_string_receiver).</summary>
public class BrokerDataTextTests
{
    private static string VectorFile(string name) =>
        Path.Combine(Golden.RepoRoot, "tests", "Broker.Sdk.Tests", "Data", "Vectors", name);

    // Vectors from the C library (make_vectors.py): Broker formats reals with "%f".
    [Fact]
    public void FormatReal_equals_C_printf_f_for_every_vector()
    {
        string[] lines = File.ReadAllLines(VectorFile("format_real.tsv"));
        Assert.True(lines.Length > 1000);
        foreach (string line in lines)
        {
            string[] cells = line.Split('\t');
            double value = BitConverter.UInt64BitsToDouble(ulong.Parse(cells[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            Assert.True(cells[1] == BrokerData.FormatReal(value), $"{cells[0]}: C prints {cells[1]}, we print {BrokerData.FormatReal(value)}");
            Assert.Equal(cells[1], BrokerData.Real(value).ToString());
        }
    }

    [Theory]
    [InlineData(0.0078125, "0.007812")] // exact tie: half to even
    [InlineData(0.0234375, "0.023438")]
    [InlineData(-0.0, "-0.000000")]
    [InlineData(-1e-7, "-0.000000")]
    [InlineData(2.5, "2.500000")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(1e22, "10000000000000000000000.000000")]
    [InlineData(1e23, "99999999999999991611392.000000")]
    public void FormatReal_edge_cases(double value, string expected)
    {
        Assert.Equal(expected, BrokerData.FormatReal(value));
    }

    [Fact]
    public void FormatReal_prints_the_exact_digits_of_the_largest_double()
    {
        Assert.Equal(
            "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000",
            BrokerData.FormatReal(double.MaxValue));
        Assert.Equal(
            "0.000000",
            BrokerData.FormatReal(double.Epsilon));
    }

    // Vectors from glibc's inet_ntop, which Broker calls: it only embeds a dotted quad for ::a.b.c.d, unlike
    // IPAddress.ToString (which also does for ISATAP and SIIT forms).
    [Fact]
    public void IPv6_addresses_print_like_inet_ntop()
    {
        string[] lines = File.ReadAllLines(VectorFile("inet_ntop6.tsv"));
        Assert.True(lines.Length > 1000);
        foreach (string line in lines)
        {
            string[] cells = line.Split('\t');
            var value = BrokerData.AddressFromBytes(Convert.FromHexString(cells[0]));
            Assert.True(cells[1] == value.ToString(), $"{cells[0]}: inet_ntop prints {cells[1]}, we print {value}");
        }
    }

    [Theory]
    [InlineData("192.168.1.2", "192.168.1.2")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")] // v4-mapped is IPv4
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("::1.2.3.4", "::1.2.3.4")]
    [InlineData("fe80::5efe:1.2.3.4", "fe80::5efe:102:304")]
    [InlineData("::ffff:0:1.2.3.4", "::ffff:0:102:304")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")] // a single zero word is not compressed
    public void Addresses_print_like_Broker(string address, string expected)
    {
        Assert.Equal(expected, BrokerData.Address(IPAddress.Parse(address)).ToString());
    }

    [Theory]
    [InlineData("10.1.2.3", 8, "10.0.0.0/8")]
    [InlineData("10.1.2.3", 32, "10.1.2.3/32")]
    [InlineData("10.1.2.3", 0, "0.0.0.0/0")]
    [InlineData("2001:db8::1", 32, "2001:db8::/32")]
    [InlineData("2001:db8::1", 128, "2001:db8::1/128")]
    [InlineData("::", 0, "::/0")]
    public void Subnets_print_with_the_user_visible_length(string address, int length, string expected)
    {
        Assert.Equal(expected, BrokerData.Subnet(IPAddress.Parse(address), length).ToString());
    }

    public static TheoryData<BrokerData, string> Samples() => new()
    {
        { BrokerData.None, "nil" },
        { true, "T" },
        { false, "F" },
        { 42UL, "42" },
        { -42L, "-42" },
        { 2.5, "2.500000" },
        { "raw \"text\" ä", "raw \"text\" ä" },
        { BrokerData.EnumValue("Conn::LOG"), "Conn::LOG" },
        { BrokerPort.Tcp(80), "80/tcp" },
        { BrokerData.Port(1, PortProtocol.Unknown), "1/?" },
        { BrokerData.Timestamp(-5), "-5ns" },
        { TimeSpan.FromSeconds(1), "1000000000ns" },
        { BrokerData.Set(), "{}" },
        { BrokerData.Table(), "{}" },
        { BrokerData.Vector(), "()" },
        { BrokerData.Set(3UL, 1UL), "{1, 3}" },
        { BrokerData.Table((1UL, "a"), (BrokerData.Vector(), BrokerData.Set())), "{1 -> a, () -> {}}" },
        { BrokerData.Vector(BrokerData.None, BrokerData.Vector(BrokerData.Vector())), "(nil, (()))" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Text_form_of_each_type(BrokerData value, string expected)
    {
        Assert.Equal(expected, value.ToString());
    }

    [Fact]
    public void Invalid_UTF8_string_bytes_print_as_replacement_characters()
    {
        // Broker prints raw bytes; a .NET string cannot hold them, so invalid sequences become U+FFFD.
        Assert.Equal("a\uFFFDb", BrokerData.String([0x61, 0xFF, 0x62]).ToString());
    }

    [Fact]
    public void KindName_uses_Broker_type_names()
    {
        Assert.Equal("enum_value", BrokerData.KindName(BrokerDataKind.EnumValue));
        Assert.Equal("count", BrokerData.KindName(BrokerDataKind.Count));
        Assert.Equal("unknown", BrokerData.KindName((BrokerDataKind)99));
    }
}
