using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Broker.Data;
using Broker.Errors;
using Broker.Sdk.Tests.TestSupport;
using Broker.Serialization.Json;

namespace Broker.Sdk.Tests.Json;

/// <summary>Every golden capture from a real Broker node, replayed through our codec.</summary>
public sealed class BrokerJsonGoldenTests
{
    private static readonly BrokerJsonOptions Exact = new() { BrokerInvalidJson = true };

    private static byte[] DataMessage(string topic, BrokerData value, BrokerJsonOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        BrokerJson.WriteDataMessage(buffer, topic, value, options);
        return buffer.WrittenSpan.ToArray();
    }

    public static TheoryData<string> BrokerToWsFiles => new() { "broker_to_ws.jsonl", "broker_to_ws_extras.jsonl" };

    [Theory]
    [MemberData(nameof(BrokerToWsFiles))]
    public void Broker_output_round_trips_byte_for_byte(string file)
    {
        var lines = GoldenText.Lines(Golden.Path("json", file));
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var (topic, value) = BrokerJson.ReadDataMessage(line);
            Assert.NotNull(topic);

            // With Broker's invalid-JSON bytes enabled we are identical to Broker for every frame.
            Assert.Equal(GoldenText.Utf8(line), GoldenText.Utf8(DataMessage(topic, value, Exact)));

            var ours = DataMessage(topic, value);
            if (GoldenText.IsValidJson(line))
            {
                // By default: identical wherever Broker's output is valid JSON.
                Assert.Equal(GoldenText.Utf8(line), GoldenText.Utf8(ours));
            }
            else
            {
                // Where Broker's is not (nan, inf, \v, raw control bytes), ours is valid and reads back to the same value.
                Assert.True(GoldenText.IsValidJson(ours), GoldenText.Utf8(ours));
                var (_, back) = BrokerJson.ReadDataMessage(ours);
                if (value.Kind == BrokerDataKind.Real && double.IsNaN(value.AsReal()))
                {
                    Assert.True(double.IsNaN(back.AsReal()));
                }
                else
                {
                    Assert.Equal(value, back);
                }
            }
        }
    }

    [Theory]
    [InlineData("broker_to_ws.tsv")]
    [InlineData("broker_to_ws_extras.tsv")]
    public void Broker_output_reads_to_brokers_to_string(string file)
    {
        var lines = GoldenText.Lines(Golden.Path("json", file));
        Assert.NotEmpty(lines);
        bool extras = file.Contains("extras", StringComparison.Ordinal);
        foreach (var line in lines)
        {
            var cols = GoldenText.Columns(line);
            var json = extras ? GoldenText.Unescape(cols[1], quoted: true) : cols[1];
            var expected = GoldenText.Unescape(cols[0], quoted: false);
            var (_, value) = BrokerJson.ReadDataMessage(json);
            if (value.Kind == BrokerDataKind.Timestamp)
            {
                continue; // to_string shows nanoseconds that the millisecond JSON text no longer has
            }

            Assert.Equal(GoldenText.Utf8(expected), value.ToString());
        }
    }

    [Fact]
    public void Client_input_is_read_and_reencoded_as_broker_did()
    {
        var lines = GoldenText.Lines(Golden.Path("json", "ws_to_broker.tsv"));
        Assert.True(lines.Count > 40);
        for (int n = 1; n <= lines.Count; n++)
        {
            var cols = GoldenText.Columns(lines[n - 1]);
            var replies = GoldenText.JsonStrings(cols[4]);
            if (GoldenText.Utf8(cols[1]) == "<none>")
            {
                var ex = Assert.Throws<BrokerDecodeException>(() => BrokerJson.ReadDataMessage(cols[0]));
                Assert.Equal(replies.Single(), ErrorFrame($"input #{n} {ex.Message}"));
                continue;
            }

            Assert.Empty(replies);
            var (topic, value) = BrokerJson.ReadDataMessage(cols[0]);
            Assert.Equal(GoldenText.Utf8(GoldenText.Unescape(cols[1], quoted: false)), value.ToString());
            Assert.Equal(GoldenText.Utf8(GoldenText.Unescape(cols[3], quoted: false)), value.ToString());
            var reencoded = DataMessage(topic!, value, Exact);
            Assert.Equal(GoldenText.Utf8(cols[2]), GoldenText.Utf8(reencoded));
        }
    }

    [Fact]
    public void Bad_frames_after_handshake_get_brokers_error_frames()
    {
        var lines = GoldenText.Lines(Golden.Path("json", "errors_after_handshake.tsv"));
        Assert.Equal(38, lines.Count);
        foreach (var line in lines)
        {
            var cols = GoldenText.Columns(line);
            int n = int.Parse(GoldenText.Utf8(cols[0]));
            var frame = GoldenText.Unescape(cols[1], quoted: true);
            var replies = GoldenText.JsonStrings(cols[2]);
            var published = GoldenText.JsonStrings(cols[3]);
            if (replies.Count > 0)
            {
                var ex = Assert.Throws<BrokerDecodeException>(() => BrokerJson.ReadDataMessage(frame));
                Assert.Equal(ErrorCode.DeserializationFailed, ex.Code);
                Assert.Equal(replies.Single(), ErrorFrame($"input #{n} {ex.Message}"));
                continue;
            }

            var (topic, value) = BrokerJson.ReadDataMessage(frame);
            if (published.Count == 0)
            {
                Assert.Null(topic); // Broker drops a message without a usable topic silently
            }
            else
            {
                var parts = published.Single().Split('\t');
                Assert.Equal(parts[1], topic);
                Assert.Equal(parts[2], value.ToString());
            }
        }
    }

    [Fact]
    public void Handshake_frames_are_accepted_exactly_when_broker_acked()
    {
        var ack = File.ReadAllText(Golden.Path("json", "ack.json")).TrimEnd('\n');
        var lines = GoldenText.Lines(Golden.Path("json", "handshake_cases.tsv"));
        Assert.Equal(7, lines.Count);
        foreach (var line in lines)
        {
            var cols = GoldenText.Columns(line);
            var frame = GoldenText.Unescape(cols[0], quoted: true);
            var replies = GoldenText.JsonStrings(cols[1]);
            if (replies.Count == 1)
            {
                Assert.Equal(ack, replies[0]);
                _ = BrokerJson.ReadSubscriptions(frame);
            }
            else
            {
                Assert.Throws<BrokerDecodeException>(() => BrokerJson.ReadSubscriptions(frame));
            }
        }

        Assert.Equal(["/a", "/b"], BrokerJson.ReadSubscriptions("[\"/a\",\"/b\"]"u8));
    }

    [Fact]
    public void Ack_is_byte_exact()
    {
        var ack = File.ReadAllText(Golden.Path("json", "ack.json")).TrimEnd('\n');
        var buffer = new ArrayBufferWriter<byte>();
        BrokerJson.WriteAck(buffer, "9c9ef96e-497c-5183-a720-f0ecdff8b888", "2.8.0-dev");
        Assert.Equal(ack, Encoding.UTF8.GetString(buffer.WrittenSpan));
        var parsed = BrokerJson.ReadServerFrame(buffer.WrittenSpan);
        Assert.Equal(BrokerJsonFrameKind.Ack, parsed.Kind);
        Assert.Equal("9c9ef96e-497c-5183-a720-f0ecdff8b888", parsed.First);
    }

    [Fact]
    public void Zeek_8_server_frames_are_understood()
    {
        var ack = BrokerJson.ReadServerFrame("{\"type\":\"ack\",\"endpoint\":\"9c9ef96e-497c-5183-a720-f0ecdff8b888-websocket-3\",\"version\":\"8.0.0-dev.684\"}"u8);
        Assert.Equal((BrokerJsonFrameKind.Ack, "8.0.0-dev.684"), (ack.Kind, ack.Second));
        var error = BrokerJson.ReadServerFrame("{\"type\":\"error\",\"code\":\"deserialization_failed\",\"message\":\"bad\"}"u8);
        Assert.Equal((BrokerJsonFrameKind.Error, "deserialization_failed", "bad"), (error.Kind, error.First, error.Second));
        var data = BrokerJson.ReadServerFrame("{\"type\":\"data-message\",\"topic\":\"/t\",\"@data-type\":\"count\",\"data\":1}"u8);
        Assert.Equal(("/t", BrokerData.Count(1)), (data.Topic, data.Data));
        Assert.Throws<BrokerDecodeException>(() => BrokerJson.ReadServerFrame("{\"type\":\"surprise\"}"u8));
    }

    [Theory]
    [InlineData(3.5, "3.5")]
    [InlineData(1e100, "1E+100")]
    [InlineData(2.0, "2.0")]
    [InlineData(-0.1, "-0.1")]
    public void Full_precision_reals_stay_reals(double value, string expected)
    {
        var json = BrokerJson.ToJson(BrokerData.Real(value), new BrokerJsonOptions { FullPrecision = true });
        Assert.Equal($"{{\"@data-type\":\"real\",\"data\":{expected}}}", json);
        Assert.Equal(BrokerData.Real(value), BrokerJson.ReadValue(json));
        Assert.Equal("{\"@data-type\":\"timestamp\",\"data\":\"1969-12-31T23:59:58.500000000\"}",
            BrokerJson.ToJson(BrokerData.Timestamp(-1_500_000_000), new BrokerJsonOptions { FullPrecision = true }));
    }

    [Fact]
    public void Btest_baselines_match()
    {
        // web-socket/error: an unknown @data-type as the first data frame.
        var errorText = File.ReadAllText(Golden.Path("json", "btest-web-socket.error.send.out"));
        var context = Regex.Match(errorText, "\"context\": \"([^\"]*)\"").Groups[1].Value;
        var ex = Assert.Throws<BrokerDecodeException>(() =>
            BrokerJson.ReadDataMessage("{\"type\":\"data-message\",\"topic\":\"/test\",\"@data-type\":\"phone\",\"data\":\"555-0123\"}"u8));
        Assert.Equal(context, $"input #1 {ex.Message}");

        // web-socket/unencrypted: pretty-printed by the test's Python, so whitespace and short reals must be accepted.
        var recv = File.ReadAllText(Golden.Path("json", "btest-web-socket.unencrypted.recv.out"));
        var json = recv[recv.IndexOf('{', StringComparison.Ordinal)..];
        var (topic, value) = BrokerJson.ReadDataMessage(Encoding.UTF8.GetBytes(json));
        Assert.Equal("/test", topic);
        Assert.Equal(
            "(-9223372036854775808, 9223372036854775807, 0, 18446744073709551615, Hello \\u003cBroker\\u003e!, nil, T, -7.500000, 15000000ns, foo, 2001:db8::, 255.255.255.0/24, 8080/tcp, {bar, foo}, {first-name -> John, last-name -> Doe})",
            value.ToString());
    }

    private static string ErrorFrame(string context)
    {
        var buffer = new ArrayBufferWriter<byte>();
        BrokerJson.WriteError(buffer, "deserialization_failed", context);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static class ErrorCode
    {
        public const BrokerErrorCode DeserializationFailed = BrokerErrorCode.DeserializationFailed;
    }
}
