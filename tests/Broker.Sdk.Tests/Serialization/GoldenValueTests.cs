using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Broker.Data;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization;

namespace Broker.Sdk.Tests.Serialization;

/// <summary>
/// The 72 values real Broker nodes put on the wire (golden/native/data_samples.values.tsv): we decode every one,
/// print it exactly as Broker's <c>to_string</c>, and re-encode it to the same bytes.
/// </summary>
public class GoldenValueTests
{
    private static readonly Lazy<Dictionary<string, GoldenRow>> Rows = new(() =>
        GoldenTsv.Read("native", "data_samples.values.tsv").Rows.ToDictionary(r => $"{r["group"]}/{r["index"]}"));

    public static TheoryData<string> AllValues()
    {
        var data = new TheoryData<string>();
        foreach (string key in Rows.Value.Keys)
        {
            data.Add(key);
        }

        return data;
    }

    [Fact]
    public void Capture_holds_all_72_values()
    {
        Assert.Equal(72, Rows.Value.Count);
    }

    [Theory]
    [MemberData(nameof(AllValues))]
    public void Decodes_prints_like_Broker_and_reencodes_the_same_bytes(string key)
    {
        var row = Rows.Value[key];
        byte[] bytes = row.Hex("value_hex");

        var value = BrokerBinary.Decode(bytes);

        Assert.Equal((byte)value.Kind, bytes[0]);
        Assert.Equal(row.Text("to_string_receiver"), value.ToString());
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(BrokerBinary.Encode(value)));
        Assert.Equal(bytes.Length, BrokerBinary.GetEncodedSize(value));

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(bytes.Length, BrokerBinary.Encode(value, writer));
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllValues))]
    public void Decodes_from_a_multi_segment_sequence(string key)
    {
        byte[] bytes = Rows.Value[key].Hex("value_hex");
        var sequence = TestSequences.Split(bytes, 3);

        Assert.Equal(BrokerBinary.Decode(bytes), BrokerBinary.Decode(sequence));
    }

    public static TheoryData<string> Reals()
    {
        var data = new TheoryData<string>();
        foreach (var (key, row) in Rows.Value)
        {
            if (row["note"].StartsWith("published ", StringComparison.Ordinal) && !row["note"].StartsWith("published ?", StringComparison.Ordinal))
            {
                data.Add(key);
            }
        }

        return data;
    }

    // The "reals" group records the exact double each node published: our encoder must put CAF's pack754 bits on
    // the wire for it, including the garbled subnormals and the sign-swapped infinities, and our decoder must read
    // back what the receiving Broker node read.
    [Theory]
    [MemberData(nameof(Reals))]
    public void Encodes_the_published_double_with_CAF_pack754(string key)
    {
        var row = Rows.Value[key];
        string note = row["note"];
        ulong publishedBits = ulong.Parse(Field(note, "published ", "ieee="), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        ulong wireBits = ulong.Parse(Field(note, "wire u64 ", null), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        ulong receivedBits = ulong.Parse(Field(note, "received ", "ieee="), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        double published = BitConverter.UInt64BitsToDouble(publishedBits);

        byte[] encoded = BrokerBinary.Encode(BrokerData.Real(published));

        Assert.Equal(row["value_hex"], Convert.ToHexString(encoded), ignoreCase: true);
        Assert.Equal(wireBits, BrokerBinary.Pack754(published));
        double received = BrokerBinary.Decode(encoded).AsReal();
        Assert.Equal(receivedBits, BitConverter.DoubleToUInt64Bits(received));
    }

    [Fact]
    public void Real_notes_cover_every_special_case()
    {
        // Guard against the capture's note format silently changing: all 14 "reals" rows carry the published bits.
        Assert.Equal(14, ((IEnumerable<object[]>)Reals()).Count());
    }

    // Values built through the public API must produce the captured bytes (group "samples" and "extras").
    public static TheoryData<string, BrokerData> BuiltValues() => new()
    {
        { "samples/1", BrokerData.None },
        { "samples/2", true },
        { "samples/3", false },
        { "samples/4", 0UL },
        { "samples/5", BrokerData.Count(42) },
        { "samples/6", ulong.MaxValue },
        { "samples/7", -7L },
        { "samples/8", long.MinValue },
        { "samples/9", long.MaxValue },
        { "samples/10", 3.5 },
        { "samples/11", -0.1 },
        { "samples/12", 1e100 },
        { "samples/13", "hello" },
        { "samples/14", "esc \"q\" \\ \n\t\u0001 ä end" },
        { "samples/15", string.Empty },
        { "samples/16", IPAddress.Parse("192.168.1.2") },
        { "samples/17", IPAddress.IPv6Loopback },
        { "samples/18", IPAddress.Parse("2001:db8::ff00:42:8329") },
        { "samples/19", IPAddress.Parse("::ffff:10.0.0.1") },
        { "samples/20", BrokerData.Subnet(IPAddress.Parse("10.1.2.3"), 8) },
        { "samples/21", IPNetwork.Parse("2001:db8::/32") },
        { "samples/22", BrokerPort.Tcp(80) },
        { "samples/23", BrokerPort.Udp(53) },
        { "samples/24", BrokerData.Port(8, PortProtocol.Icmp) },
        { "samples/25", new BrokerPort(0, PortProtocol.Unknown) },
        { "samples/26", DateTimeOffset.UnixEpoch },
        { "samples/27", BrokerData.Timestamp(1_700_000_000_123_456_789) },
        { "samples/28", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) },
        { "samples/29", TimeSpan.Zero },
        { "samples/30", TimeSpan.FromSeconds(1.5) },
        { "samples/31", BrokerData.Timespan(-42) },
        { "samples/32", TimeSpan.FromMicroseconds(3) },
        { "samples/33", TimeSpan.FromMilliseconds(5) },
        { "samples/34", TimeSpan.FromMinutes(1) },
        { "samples/35", TimeSpan.FromHours(1) },
        { "samples/36", TimeSpan.FromDays(1) },
        { "samples/37", BrokerData.EnumValue("Foo::BAR") },
        { "samples/38", BrokerData.Set() },
        { "samples/39", BrokerData.Set("x", 2UL, 1UL, 2UL) },
        { "samples/40", BrokerData.Table() },
        { "samples/41", BrokerData.Table(("b", BrokerData.Vector(true, BrokerData.None)), ("a", 1UL)) },
        { "samples/42", BrokerData.Vector() },
        { "samples/43", BrokerData.Vector(1UL, -1L, "s", BrokerData.Vector(2.5)) },
        {
            "samples/44", BrokerData.Vector(1UL, 1UL, BrokerData.Vector("test_event", BrokerData.Vector(
                42UL, "hi", IPAddress.Parse("1.2.3.4"), TimeSpan.FromSeconds(2), BrokerPort.Tcp(443))))
        },
        {
            "samples/45", BrokerData.Vector(1UL, 1UL, BrokerData.Vector(
                "test_event_ts",
                BrokerData.Vector("with-ts", -5L),
                BrokerData.Vector(BrokerData.Vector(1UL, BrokerData.Timestamp(1_700_000_000_500_000_000)))))
        },
        { "extras/1", 1e-10 },
        { "extras/2", 0.1234567891 },
        { "extras/3", -0.0 },
        { "extras/4", 123456789.125 },
        { "extras/5", double.NaN },
        { "extras/6", double.PositiveInfinity },
        { "extras/7", double.NegativeInfinity },
        { "extras/8", BrokerData.String(Encoding.ASCII.GetBytes("ctl \b\f\v\u001f\u007f / end")) },
        { "extras/9", BrokerData.Timestamp(-1_500_000_000) },
        { "extras/10", BrokerData.Timestamp(999_999) },
        { "extras/11", BrokerData.Timespan(1_500) },
        { "extras/12", BrokerData.Set(IPAddress.Parse("10.0.0.1"), "b", -3L, 3UL, true) },
    };

    [Theory]
    [MemberData(nameof(BuiltValues))]
    public void Values_built_with_the_API_encode_to_the_captured_bytes(string key, BrokerData value)
    {
        var row = Rows.Value[key];

        Assert.Equal(row["value_hex"], Convert.ToHexString(BrokerBinary.Encode(value)), ignoreCase: true);
        Assert.Equal(row.Text("to_string_receiver"), value.ToString());
        Assert.Equal(value, BrokerBinary.Decode(row.Hex("value_hex")));
    }

    // FRAME_LAYOUTS.txt repeats every value's bytes with its to_string: a second, independently parsed source.
    [Fact]
    public void Frame_layouts_value_bytes_decode_and_print_like_Broker()
    {
        string[] lines = Golden.ReadLines("native", "FRAME_LAYOUTS.txt");
        int checkedValues = 0;
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            int marker = lines[i].IndexOf("  to_string: ", StringComparison.Ordinal);
            if (marker < 0 || !lines[i + 1].TrimStart().StartsWith("value bytes: ", StringComparison.Ordinal))
            {
                continue;
            }

            string expectedText = GoldenTsv.Unescape(lines[i][(marker + "  to_string: ".Length)..]);
            string hex = lines[i + 1].Trim()["value bytes: ".Length..];
            byte[] bytes = Convert.FromHexString(hex);

            var value = BrokerBinary.Decode(bytes);

            Assert.True(expectedText == value.ToString(), $"{lines[i]}: printed '{value}'");
            Assert.Equal(hex, Convert.ToHexString(BrokerBinary.Encode(value)), ignoreCase: true);
            checkedValues++;
        }

        Assert.Equal(72, checkedValues);
    }

    // Spec §1.1: bytes found in a SQLite store written by Broker 1.4 (the same encoding as the 2.3+ wire).
    public static TheoryData<string, BrokerData> SqliteVerified() => new()
    {
        { "05016B", "k" },
        { "0D01030000000000000001050161", BrokerData.Table((1L, "a")) },
        { "020000000000000001", 1UL },
        { "044004000000000000", 2.5 },
    };

    [Theory]
    [MemberData(nameof(SqliteVerified))]
    public void Sqlite_verified_bytes_round_trip(string hex, BrokerData value)
    {
        Assert.Equal(hex, Convert.ToHexString(BrokerBinary.Encode(value)));
        Assert.Equal(value, BrokerBinary.Decode(Convert.FromHexString(hex)));
    }

    private static string Field(string note, string after, string? then)
    {
        int start = note.IndexOf(after, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{after}' not in note '{note}'");
        start += after.Length;
        if (then is not null)
        {
            start = note.IndexOf(then, start, StringComparison.Ordinal) + then.Length;
        }

        int end = start;
        while (end < note.Length && Uri.IsHexDigit(note[end]))
        {
            end++;
        }

        return note[start..end];
    }
}
