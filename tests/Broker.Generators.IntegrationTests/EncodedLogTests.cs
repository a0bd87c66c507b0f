using System.Collections.Concurrent;
using System.Net;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Generators.IntegrationTests.TestSupport;
using Broker.Serialization;
using Broker.Typed;

namespace Broker.Generators.IntegrationTests;

/// <summary>
/// Records write themselves without a BrokerData tree (the generated WriteBroker gives exactly the tree's bytes) and
/// log records from a peer are read straight from their bytes (TryReadBroker); whatever the reader declines takes
/// the tree path, so the outcome (records, skips, errors and their messages) is the tree path's.
/// </summary>
public class EncodedLogTests
{
    private static readonly Endpoint Host = new(IPAddress.Parse("192.0.2.7"), new BrokerPort(53, PortProtocol.Udp));

    public static TheoryData<string> Records() => new() { "endpoint", "connection-full", "connection-nulls", "testinfo", "testinfo-note", "conn-0", "conn-1", "conn-5", "conn-7" };

    [Theory]
    [MemberData(nameof(Records))]
    public void Record_writers_write_the_trees_bytes_and_readers_read_them_back(string name)
    {
        switch (name)
        {
            case "endpoint":
                RoundTrip(Host, static (r, ref w) => r.WriteBroker(ref w), static r => r.ToBrokerData(), Endpoint.TryReadBroker);
                break;
            case "connection-full":
            case "connection-nulls":
                bool full = name == "connection-full";
                var connection = new Connection
                {
                    Uid = "CHhAvVGS1DHFjwGM9",
                    Origin = full ? Host : null,
                    Proto = Proto.Icmp,
                    Duration = full ? TimeSpan.FromTicks(12_345) : null,
                    Services = full ? ["dns", "ssl"] : [],
                };
                var read = RoundTrip(connection, static (r, ref w) => r.WriteBroker(ref w), static r => r.ToBrokerData(), Connection.TryReadBroker);
                Assert.Equal(connection.ToBrokerData(), read.ToBrokerData()); // a class: compared as Broker values
                break;
            case "testinfo":
            case "testinfo-note":
                RoundTrip(new TestInfo("m", ulong.MaxValue, name == "testinfo" ? null : "ünïcode"), static (r, ref w) => r.WriteBroker(ref w), static r => r.ToBrokerData(), TestInfo.TryReadBroker);
                break;
            default:
                RoundTrip(ConnLog.Sample(int.Parse(name[5..], System.Globalization.CultureInfo.InvariantCulture)), static (r, ref w) => r.WriteBroker(ref w), static r => r.ToBrokerData(), ConnLog.TryReadBroker);
                break;
        }
    }

    [Fact]
    public void Readers_decline_what_FromBrokerData_rejects_and_writers_reject_what_ToBrokerData_rejects()
    {
        // Wrong field count, a count where an int? is declared, out-of-range narrow values, a string for a record.
        var good = ConnLog.Sample(1).ToBrokerData();
        var fields = good.AsVector();
        BrokerData[] bad =
        [
            BrokerData.Vector(fields.RemoveAt(12)),
            BrokerData.Vector(fields.SetItem(7, BrokerData.Count(1))),
            BrokerData.Vector(fields.SetItem(8, BrokerData.Integer(40_000))),
            BrokerData.Vector(fields.SetItem(9, BrokerData.Count(256))),
            BrokerData.Vector(fields.SetItem(2, BrokerData.String("not an endpoint"))),
            BrokerData.Vector(fields.SetItem(3, BrokerData.Vector(BrokerData.Count(1)))),
            BrokerData.Vector(fields.SetItem(4, BrokerData.EnumValue("Sctp"))),
        ];
        foreach (var value in bad)
        {
            var reader = new BrokerReader(BrokerBinary.Encode(value));
            Assert.False(ConnLog.TryReadBroker(ref reader, out _), value.ToString());
            Assert.Throws<BrokerConversionException>(() => ConnLog.FromBrokerData(value));
        }

        var nullUid = ConnLog.Sample(2) with { Uid = null! };
        var treeError = Assert.Throws<ArgumentNullException>(() => nullUid.ToBrokerData());
        var writerError = Assert.Throws<ArgumentNullException>(() => Write(nullUid, static (r, ref w) => r.WriteBroker(ref w)));
        Assert.Equal(treeError.Message, writerError.Message);
    }

    [Fact]
    public async Task A_record_that_cannot_be_encoded_throws_from_Write_with_or_without_receivers()
    {
        var nullUid = ConnLog.Sample(3) with { Uid = null! };
        string expected = Assert.Throws<ArgumentNullException>(() => nullUid.ToBrokerData()).Message;

        // Nobody receives: the write is encoded into scratch space only to surface the error.
        await using var lonely = new BrokerEndpoint();
        var writer = ConnLog.Writer(lonely);
        Assert.Equal(expected, Assert.Throws<ArgumentNullException>(() => writer.Write(nullUid)).Message);
        writer.Write(ConnLog.Sample(4)); // a good record after a bad one is fine

        // A peer receives: the frame writer throws the same error, and the connection keeps serving.
        await using var net = await Loopback.StartAsync();
        await using var logs = ConnLog.Subscribe(net.Subscriber);
        await net.WaitForSubscriptionAsync(ConnLog.BrokerLogStream.Topic);
        var remote = ConnLog.Writer(net.Publisher);
        Assert.Equal(expected, Assert.Throws<ArgumentNullException>(() => remote.Write(nullUid)).Message);
        remote.Write(ConnLog.Sample(5));
        await using var records = logs.GetAsyncEnumerator();
        Assert.True(await records.MoveNextAsync().AsTask().WaitAsync(Loopback.Deadline));
        Assert.Equal(ConnLog.Sample(5), records.Current);
    }

    [Fact]
    public async Task Log_writes_cross_a_real_connection_as_the_trees_bytes_and_are_read_from_them()
    {
        await using var net = await Loopback.StartAsync();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var typed = ConnLog.Subscribe(net.Subscriber, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/log/Conn::LOG");

        var writer = ConnLog.Writer(net.Publisher);
        const int count = 2000;
        var received = new List<ConnLog>();
        using var cts = new CancellationTokenSource(Loopback.Deadline);
        var reading = Task.Run(async () =>
        {
            await foreach (var record in typed.WithCancellation(cts.Token))
            {
                received.Add(record);
                if (received.Count == count)
                {
                    break;
                }
            }
        });
        for (int i = 0; i < count; i++)
        {
            writer.Write(ConnLog.Sample(i));
            if (i % 500 == 499)
            {
                int sent = i + 1;
                await Loopback.WaitUntilAsync(() => typed.ReadEncodedCount >= sent, $"{sent} records are read");
            }
        }

        await reading.WaitAsync(Loopback.Deadline);
        Assert.Equal(Enumerable.Range(0, count).Select(ConnLog.Sample), received);
        Assert.Equal(count, typed.ReadEncodedCount); // every one read from its bytes, none through a tree
        Assert.Equal(0, typed.ErrorCount);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_consumer_that_stops_early_finds_the_rest_on_its_next_enumeration()
    {
        await using var net = await Loopback.StartAsync();
        await using var typed = ConnLog.Subscribe(net.Subscriber);
        await net.WaitForSubscriptionAsync("bro/log/Conn::LOG");
        var writer = ConnLog.Writer(net.Publisher);
        for (int i = 0; i < 10; i++)
        {
            writer.Write(ConnLog.Sample(i));
        }

        using var cts = new CancellationTokenSource(Loopback.Deadline);
        var received = new List<ConnLog>();
        for (int round = 1; round <= 3; round++)
        {
            await foreach (var record in typed.WithCancellation(cts.Token))
            {
                received.Add(record);
                if (received.Count == (round == 3 ? 10 : round * 3))
                {
                    break;
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(ConnLog.Sample), received);
        Assert.Equal(10, typed.ReadEncodedCount);
    }

    [Fact]
    public async Task A_plain_subscriber_gets_exactly_the_message_the_tree_writer_built()
    {
        await using var net = await Loopback.StartAsync();
        await using var plain = net.Subscriber.Subscribe("bro/log/Conn::LOG");
        await net.WaitForSubscriptionAsync("bro/log/Conn::LOG");
        var writer = ConnLog.Writer(net.Publisher);
        for (int i = 0; i < 12; i++)
        {
            writer.Write(ConnLog.Sample(i));
            var message = await plain.ReceiveAsync().AsTask().WaitAsync(Loopback.Deadline);
            Assert.Equal(writer.ToMessage(ConnLog.Sample(i)), message.Data);
            Assert.Equal("bro/log/Conn::LOG", message.Topic);
        }
    }

    [Fact]
    public async Task Other_streams_malformed_writes_and_declined_records_get_the_tree_paths_outcome()
    {
        await using var net = await Loopback.StartAsync();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var typed = ConnLog.Subscribe(net.Subscriber, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/log/Conn::LOG");
        var received = new ConcurrentQueue<ConnLog>();
        using var cts = new CancellationTokenSource(Loopback.Deadline);
        var reading = Task.Run(async () =>
        {
            await foreach (var record in typed.WithCancellation(cts.Token))
            {
                received.Enqueue(record);
                if (record.Uid == "last")
                {
                    break;
                }
            }
        });

        var writer = ConnLog.Writer(net.Publisher);
        var fields = ConnLog.Sample(3).ToBrokerData().AsVector();
        void Send(BrokerData value) => net.Publisher.Publish("bro/log/Conn::LOG", value);
        writer.Write(ConnLog.Sample(1));                                                              // read from bytes
        ConnExtraLog.Writer(net.Publisher).Write(new ConnExtraLog("other", 1));                       // another stream: skipped
        Send(BrokerData.Vector(BrokerData.EnumValue("Conn::LOG"), BrokerData.Vector(fields.SetItem(9, BrokerData.Count(300))))); // error: out of range
        Send(BrokerData.Vector(BrokerData.EnumValue("Conn::LOG"), BrokerData.Vector(fields.SetItem(4, BrokerData.EnumValue("Sctp"))))); // error: unknown enum
        Send(BrokerData.Vector(BrokerData.String("Conn::LOG"), ConnLog.Sample(2).ToBrokerData()));    // error: not a log write
        Send(BrokerData.Vector(BrokerData.EnumValue("Conn::LOG"), ConnLog.Sample(2).ToBrokerData(), BrokerData.None)); // error: not a log write
        writer.Write(ConnLog.Sample(4) with { Uid = "last" });                                        // read from bytes

        await reading.WaitAsync(Loopback.Deadline);
        Assert.Equal([ConnLog.Sample(1), ConnLog.Sample(4) with { Uid = "last" }], received);
        Assert.Equal(2, typed.ReadEncodedCount);
        Assert.Equal(4, typed.ErrorCount);
        var messages = errors.Select(e => e.Message).ToArray();
        Assert.Contains("Log stream Conn::LOG: Broker.Generators.IntegrationTests.Contracts.ConnLog: 'Tiny' is declared as byte", messages[0], StringComparison.Ordinal);
        Assert.Contains("'Proto' is declared as Proto", messages[1], StringComparison.Ordinal);
        Assert.All(messages[2..], m => Assert.Contains("is not a log write [stream, record] of Conn::LOG", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mutated_log_writes_get_exactly_what_the_tree_decoder_gives_them()
    {
        // A differential test: byte mutations of real log writes that still decode are sent over the wire, where the
        // generated reader takes them from their bytes, and each is also decoded here by a tree-only subscription.
        // Records (in order), skips and errors (with their messages) must be the same.
        await using var net = await Loopback.StartAsync();
        var errors = new ConcurrentQueue<string>();
        await using var typed = ConnLog.Subscribe(net.Subscriber, new TypedSubscriptionOptions { OnError = e => errors.Enqueue(e.Message) });
        await net.WaitForSubscriptionAsync("bro/log/Conn::LOG");

        await using var referenceEndpoint = new BrokerEndpoint();
        var expectedErrors = new List<string>();
        await using var reference = new LogSubscription<ConnLog>(referenceEndpoint, ConnLog.BrokerLogStream, static d => ConnLog.FromBrokerData(d),
            new TypedSubscriptionOptions { OnError = e => expectedErrors.Add(e.Message) });

        var received = new ConcurrentQueue<ConnLog>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = Task.Run(async () =>
        {
            await foreach (var record in typed.WithCancellation(cts.Token))
            {
                received.Enqueue(record);
            }
        });

        var writer = ConnLog.Writer(net.Publisher);
        byte[][] seeds = [.. new[] { 1, 2, 3, 6 }.Select(i => BrokerBinary.Encode(writer.ToMessage(ConnLog.Sample(i))))];
        var random = new Random(20261129);
        var expected = new List<ConnLog>();
        int sent = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes = (byte[])seeds[i % seeds.Length].Clone();
            for (int flips = random.Next(1, 3); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            BrokerData value;
            try
            {
                value = BrokerBinary.Decode(bytes);
            }
            catch (Errors.BrokerDecodeException)
            {
                continue; // not a value at all: the reader of the connection would drop it
            }

            if (reference.TryDecode(new BrokerMessage("bro/log/Conn::LOG", value, default), out var record))
            {
                expected.Add(record!);
            }

            net.Publisher.Publish("bro/log/Conn::LOG", value);
            if (++sent % 200 == 0)
            {
                // A marker write: everything before it on this connection has been processed once it arrives.
                var marker = ConnLog.Sample(sent) with { Uid = "marker-" + sent };
                writer.Write(marker);
                expected.Add(marker);
                int target = expected.Count;
                await Loopback.WaitUntilAsync(() => received.Count >= target, $"the marker after {sent} mutated writes arrives");
            }
        }

        var last = ConnLog.Sample(0) with { Uid = "last" };
        writer.Write(last);
        expected.Add(last);
        await Loopback.WaitUntilAsync(() => received.Count >= expected.Count, "the last write arrives");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.True(sent > 500, $"only {sent} mutations decoded");
        Assert.Equal(expected, received);
        Assert.Equal(expectedErrors, errors);
        Assert.Equal(reference.ErrorCount, typed.ErrorCount);
        Assert.True(typed.ReadEncodedCount > expected.Count / 2, $"only {typed.ReadEncodedCount} of {expected.Count} records were read from their bytes");
        Assert.True(typed.ErrorCount > 0, "no mutation produced an error");
    }

    private static T RoundTrip<T>(T value, BrokerRecordWriter<T> write, Func<T, BrokerData> encode, BrokerRecordReader<T> read)
    {
        byte[] expected = BrokerBinary.Encode(encode(value));
        byte[] written = Write(value, write);
        Assert.Equal(expected, written);

        var reader = new BrokerReader(written);
        Assert.True(read(ref reader, out var back));
        Assert.Equal(0, reader.Remaining);
        if (typeof(T).IsValueType || typeof(T).GetMethod("<Clone>$") is not null)
        {
            Assert.Equal(value, back); // records compare by value
        }

        return back;
    }

    private static byte[] Write<T>(T value, BrokerRecordWriter<T> write)
    {
        var buffer = new byte[64 * 1024];
        var writer = new BrokerWriter(buffer);
        write(value, ref writer);
        Assert.False(writer.Overflowed);
        return buffer[..writer.BytesWritten];
    }
}
