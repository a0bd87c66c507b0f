using System.Collections.Concurrent;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Generators.IntegrationTests.TestSupport;
using Broker.Serialization;
using Broker.Typed;
using Broker.Zeek;
using MessagePack;

namespace Broker.Generators.IntegrationTests;

/// <summary>The opt-in MessagePack mapping: a [MessagePackObject] argument or field travels as a Broker string blob.</summary>
public class MessagePackBlobTests
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private static Quote SampleQuote() => new()
    {
        Symbol = "ZEEK",
        Price = 12.345678901234567890m,
        History = new() { ["mon"] = [1.1m, 2.2m], ["tue"] = [] },
        Id = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
    };

    private static void AssertSame(Quote expected, Quote actual)
    {
        Assert.Equal((expected.Symbol, expected.Price, expected.Id), (actual.Symbol, actual.Price, actual.Id));
        Assert.Equal(expected.History.Keys.Order(), actual.History.Keys.Order());
        foreach (var (key, values) in expected.History)
        {
            Assert.Equal(values, actual.History[key]);
        }
    }

    [Fact]
    public void Blob_is_a_broker_string_holding_the_raw_messagepack_bytes_and_round_trips_through_the_codec()
    {
        var quote = SampleQuote();
        var data = BrokerConvert.EncodeMessagePack(quote);

        Assert.Equal(BrokerDataKind.String, data.Kind);
        Assert.Equal(MessagePackSerializer.Serialize(quote, Untrusted), data.AsStringBytes().ToArray());

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        BrokerBinary.Encode(data, buffer);
        AssertSame(quote, BrokerConvert.DecodeMessagePack<Quote>(BrokerBinary.Decode(buffer.WrittenSpan)));

        var tick = new Tick { Sequence = -7, At = new DateTime(2026, 11, 28, 20, 0, 0, DateTimeKind.Utc) };
        Assert.Equal(tick, BrokerConvert.DecodeMessagePack<Tick>(BrokerConvert.EncodeMessagePack(tick)));
    }

    [Fact]
    public void Generated_record_carries_a_blob_field_and_nil_for_a_missing_optional_blob()
    {
        var envelope = new Envelope("quote", SampleQuote(), null);
        var data = envelope.ToBrokerData();

        Assert.Equal(3, data.Length);
        Assert.Equal(BrokerData.String("quote"), data[0]);
        Assert.Equal(BrokerDataKind.String, data[1].Kind);
        Assert.True(data[2].IsNone);

        var back = Envelope.FromBrokerData(data);
        Assert.Equal("quote", back.Kind);
        AssertSame(envelope.Body, back.Body);
        Assert.Null(back.Extra);
    }

    [Fact]
    public void Non_string_truncated_trailing_and_nil_blobs_raise_the_typed_conversion_error_naming_owner_member_and_types()
    {
        byte[] good = MessagePackSerializer.Serialize(SampleQuote(), Untrusted);

        var notString = Assert.Throws<BrokerConversionException>(() => Envelope.FromBrokerData(BrokerData.Vector("k", 5UL, BrokerData.None)));
        Assert.Equal(("Broker.Generators.IntegrationTests.Contracts.Envelope", "Body", "Quote", BrokerDataKind.Count),
            (notString.Owner, notString.Member, notString.ExpectedType, notString.ActualKind));
        Assert.Contains("'Body' is declared as Quote but the value received is a Broker count", notString.Message, StringComparison.Ordinal);

        foreach (byte[] bad in new[] { good[..^3], [.. good, 0x01], [0xc0], [0xc1], "not msgpack"u8.ToArray(), Array.Empty<byte>() })
        {
            var error = Assert.Throws<BrokerConversionException>(() => Envelope.FromBrokerData(BrokerData.Vector("k", BrokerData.String(bad), BrokerData.None)));
            Assert.Equal(("Body", "Quote", BrokerDataKind.String), (error.Member, error.ExpectedType, error.ActualKind));
            Assert.Equal(Errors.BrokerErrorCode.TypeClash, error.Code);
            Assert.Contains("Envelope: 'Body' is declared as Quote", error.Message, StringComparison.Ordinal);
        }

        // Untrusted-data security: a hostile nesting depth is refused instead of overflowing the stack.
        var shallow = BrokerConvert.DecodeMessagePack<Node>(BrokerData.String([0x91, 0x91, 0xc0]));
        Assert.NotNull(shallow.Next);
        Assert.Null(shallow.Next.Next);
        byte[] deep = [.. Enumerable.Repeat((byte)0x91, 1_000_000), 0xc0];
        var tooDeep = Assert.Throws<BrokerConversionException>(() => BrokerConvert.DecodeMessagePack<Node>(BrokerData.String(deep)));
        Assert.Contains("not a valid MessagePack", tooDeep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_non_nullable_blob_is_refused_when_publishing()
    {
        Assert.Throws<ArgumentNullException>(() => BrokerConvert.EncodeMessagePack<Quote>(null!));
    }

    [Fact]
    public async Task Blob_arguments_cross_a_real_connection_and_a_bad_blob_becomes_an_error_event()
    {
        await using var net = await Loopback.StartAsync();
        var handler = new BlobHandler();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var registration = IBlobEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("itest/blobs/quote");

        var quote = SampleQuote();
        var tick = new Tick { Sequence = 42, At = new DateTime(2026, 11, 28, 20, 30, 0, DateTimeKind.Utc) };
        IBlobEvents publisher = IBlobEvents.Publisher(net.Publisher);

        // A corrupt blob first: it must be reported, and the good events after it must still arrive.
        net.Publisher.Publish("itest/blobs/quote", ZeekEvent.Encode("quote",
            [BrokerData.String([0x94, 0xff]), BrokerData.None, BrokerConvert.EncodeMessagePack(tick), BrokerData.None]));
        publisher.OnQuote(quote, null, tick, tick);
        await publisher.Batch([quote, quote], new Envelope("e", quote, tick), 2);

        var single = await Loopback.WithDeadline(handler.Quote.Task, "the handler to receive 'quote'");
        AssertSame(quote, single.Quote);
        Assert.Null(single.Missing);
        Assert.Equal(tick, single.Tick);
        Assert.Equal(tick, single.MaybeTick);

        var batch = await Loopback.WithDeadline(handler.Batch.Task, "the handler to receive 'batch'");
        Assert.Equal(2, batch.Quotes.Count);
        AssertSame(quote, batch.Quotes[1]);
        AssertSame(quote, batch.Envelope.Body);
        Assert.Equal(("e", (Tick?)tick, 2UL), (batch.Envelope.Kind, batch.Envelope.Extra, batch.Count));

        await Loopback.WaitUntilAsync(() => errors.Count == 1 && registration.HandledCount == 2, "one blob error and two handled events");
        var error = errors.Single();
        Assert.Equal(Errors.BrokerErrorCode.TypeClash, error.Code);
        Assert.Contains("quote: 'quote' is declared as Quote but the value received is a Broker string", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid MessagePack", error.Message, StringComparison.Ordinal);
    }

    private sealed class BlobHandler : IBlobEvents
    {
        public TaskCompletionSource<(Quote Quote, Quote? Missing, Tick Tick, Tick? MaybeTick)> Quote { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<(List<Quote> Quotes, Envelope Envelope, ulong Count)> Batch { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnQuote(Quote quote, Quote? missing, Tick tick, Tick? maybeTick) => Quote.TrySetResult((quote, missing, tick, maybeTick));

        Task IBlobEvents.Batch(List<Quote> quotes, Envelope envelope, ulong count)
        {
            Batch.TrySetResult((quotes, envelope, count));
            return Task.CompletedTask;
        }
    }
}
