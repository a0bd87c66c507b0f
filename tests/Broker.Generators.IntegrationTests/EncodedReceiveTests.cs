using System.Collections.Concurrent;
using System.Collections.Immutable;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Generators.IntegrationTests.TestSupport;
using Broker.Typed;
using Broker.Zeek;

namespace Broker.Generators.IntegrationTests;

/// <summary>
/// Events from a peer reach a generated handler still encoded and are read straight from their bytes (no BrokerData
/// tree); every shape the generated reader declines falls back to the tree path, so the outcome is the tree path's.
/// </summary>
public class EncodedReceiveTests
{
    [Fact]
    public async Task Events_read_from_their_bytes_arrive_intact_and_in_order_across_copy_blocks()
    {
        await using var net = await Loopback.StartAsync();
        var handler = new Collecting();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        // Enough events to fill many receive blocks, some with payloads larger than a quarter block (own copies).
        var publisher = IDemoEvents.Publisher(net.Publisher);
        const int count = 5000;
        for (int i = 0; i < count; i++)
        {
            publisher.MyEvent(i % 500 == 7 ? new string((char)('a' + (i % 26)), 3000 + i) : $"event-{i}", (ulong)i);
            if (i % 500 == 499)
            {
                // Stay within the default peer and subscriber queues (this test is about bytes, not overflow).
                int sent = i + 1;
                await Loopback.WaitUntilAsync(() => handler.Calls.Count == sent, $"{sent} events are handled");
            }
        }

        await Loopback.WaitUntilAsync(() => handler.Calls.Count == count, $"{count} events are handled");
        int n = 0;
        foreach (var (msg, c) in handler.Calls)
        {
            Assert.Equal((ulong)n, c);
            Assert.Equal(n % 500 == 7 ? new string((char)('a' + (n % 26)), 3000 + n) : $"event-{n}", msg);
            n++;
        }

        Assert.Equal(count, registration.HandledCount);
        Assert.Equal(count, registration.ReadEncodedCount); // every one read from its bytes, none through a tree
        Assert.Equal(0, registration.DroppedCount);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Metadata_legacy_undeclared_and_malformed_events_get_the_tree_paths_outcome()
    {
        await using var net = await Loopback.StartAsync();
        var handler = new Collecting();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        var stamp = BrokerData.Timestamp(DateTimeOffset.UnixEpoch.AddSeconds(1));
        ImmutableArray<(ulong, BrokerData)> metadata = [(1UL, stamp), (200UL, BrokerData.String("custom"))];
        var badMetadata = BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("bad meta", 9UL), BrokerData.Vector(BrokerData.Count(7))));
        var undeclaredBadMetadata = BrokerData.Vector(1UL, 1UL, BrokerData.Vector("other", BrokerData.Vector(), BrokerData.Vector(BrokerData.Count(7))));
        void Send(BrokerData value) => net.Publisher.Publish("bro/event/my_event", value);

        Send(ZeekEvent.Encode("my_event", [BrokerData.String("with metadata"), BrokerData.Count(1)], metadata)); // handled
        Send(BrokerData.Vector("my_event", "legacy", 2UL));                                                       // handled (tree)
        Send(ZeekEvent.Encode("not_declared", [BrokerData.Count(1)], metadata));                                  // ignored
        Send(ZeekEvent.Encode("not_declared_either", []));                                                       // ignored
        Send(badMetadata);                                                                                          // error: not an event
        Send(undeclaredBadMetadata);                                                                                // error: not an event
        Send(ZeekEvent.Encode("my_event", [BrokerData.String("x"), BrokerData.Integer(3)]));                      // error: type clash
        Send(ZeekEvent.Encode("my_event", [BrokerData.String("last"), BrokerData.Count(3)]));                      // handled

        await Loopback.WaitUntilAsync(() => handler.Calls.Count == 3 && errors.Count == 3 && registration.IgnoredCount == 2, "three handled, two ignored, three errors");
        Assert.Equal([("with metadata", 1UL), ("legacy", 2UL), ("last", 3UL)], handler.Calls);

        // Read from bytes: the two handled modern events and the two undeclared ones; the legacy form, both bad
        // metadata shapes and the type clash were declined and went through the tree.
        Assert.Equal(4, registration.ReadEncodedCount);
        var list = errors.ToArray();
        Assert.All(list[..2], e => Assert.Equal(Errors.BrokerErrorCode.InvalidMessage, e.Code));
        Assert.All(list[..2], e => Assert.Contains("is not a Zeek event", e.Message, StringComparison.Ordinal));
        Assert.Equal(Errors.BrokerErrorCode.TypeClash, list[2].Code);
        Assert.Contains("my_event: 'c' is declared as ulong but the value received is a Broker integer (3)", list[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typed_handler_and_a_plain_subscription_on_one_topic_both_get_every_event()
    {
        await using var net = await Loopback.StartAsync();
        var handler = new Collecting();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, handler);
        await using var plain = net.Subscriber.Subscribe("bro/event/my_");
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        var publisher = IDemoEvents.Publisher(net.Publisher);
        for (ulong i = 0; i < 100; i++)
        {
            publisher.MyEvent("both", i);
        }

        for (ulong i = 0; i < 100; i++)
        {
            var message = await plain.ReceiveAsync().AsTask().WaitAsync(Loopback.Deadline);
            Assert.True(ZeekEvent.TryDecode(message.Data, out var e));
            Assert.Equal(i, e!.Arguments[1].AsCount());
        }

        await Loopback.WaitUntilAsync(() => handler.Calls.Count == 100, "the typed handler got all 100 too");
        Assert.Equal(0, registration.ReadEncodedCount); // the plain subscriber needed the tree, so both got it
    }

    [Fact]
    public async Task A_handler_that_fails_after_returning_is_reported_with_the_event_name()
    {
        await using var net = await Loopback.StartAsync();
        var errors = new ConcurrentQueue<ErrorEvent>();
        var handler = new FailingLater();
        await using var registration = IAsyncEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("itest/async/later");

        var publisher = IAsyncEvents.Publisher(net.Publisher);
        await publisher.Later("fail");
        await publisher.Later("fine");

        await Loopback.WaitUntilAsync(() => registration.HandledCount == 1 && errors.Count == 1, "one handled and one failure reported");
        Assert.Contains("Handler of event 'later'", errors.Single().Message, StringComparison.Ordinal);
        Assert.Contains("threw InvalidOperationException: fail", errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutated_events_get_exactly_what_the_dispatch_table_gives_them()
    {
        // A differential test: byte mutations of real events (with and without metadata) that still decode are sent
        // over the wire, where the generated reader takes them from their bytes, and each is also dispatched here
        // through the tree. Handled calls (in order), ignored events and errors must be the same.
        await using var net = await Loopback.StartAsync();
        var handler = new Collecting();
        var errors = new ConcurrentQueue<ErrorEvent>();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        ImmutableArray<(ulong, BrokerData)> metadata = [(1UL, BrokerData.Timestamp(DateTimeOffset.UnixEpoch))];
        byte[][] seeds =
        [
            Serialization.BrokerBinary.Encode(ZeekEvent.Encode("my_event", [BrokerData.String("seed"), BrokerData.Count(7)])),
            Serialization.BrokerBinary.Encode(ZeekEvent.Encode("my_event", [BrokerData.String("meta"), BrokerData.Count(8)], metadata)),
        ];
        var random = new Random(20261129);
        var expected = new Collecting();
        int expectedIgnored = 0, expectedErrors = 0, sent = 0;
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
                value = Serialization.BrokerBinary.Decode(bytes);
            }
            catch (Errors.BrokerDecodeException)
            {
                continue; // not a value at all: the reader of the connection would drop it
            }

            // The tree path's outcome for this value.
            if (!ZeekEvent.TryDecode(value, out var zeekEvent))
            {
                expectedErrors++;
            }
            else
            {
                try
                {
                    if (!await IDemoEvents.BrokerContract.DispatchAsync(expected, zeekEvent!))
                    {
                        expectedIgnored++;
                    }
                }
                catch (BrokerConversionException)
                {
                    expectedErrors++;
                }
            }

            net.Publisher.Publish("bro/event/my_event", value);
            if (++sent % 200 == 0)
            {
                int target = sent;
                await Loopback.WaitUntilAsync(() => registration.HandledCount + registration.IgnoredCount + registration.ErrorCount == target, $"{target} mutated events are processed");
            }
        }

        await Loopback.WaitUntilAsync(() => registration.HandledCount + registration.IgnoredCount + registration.ErrorCount == sent, $"all {sent} mutated events are processed");
        Assert.True(sent > 500, $"only {sent} mutations decoded");
        Assert.Equal(expected.Calls, handler.Calls);
        Assert.Equal(expectedIgnored, registration.IgnoredCount);
        Assert.Equal(expectedErrors, registration.ErrorCount);
        Assert.True(registration.ReadEncodedCount > sent / 4, $"only {registration.ReadEncodedCount} of {sent} were read from their bytes");
        Assert.Equal(0, registration.DroppedCount);
    }

    private sealed class Collecting : IDemoEvents
    {
        public ConcurrentQueue<(string, ulong)> Calls { get; } = new();

        public void MyEvent(string msg, ulong c) => Calls.Enqueue((msg, c));

        public void MyAutoEvent(string msg, ulong c) => Calls.Enqueue((msg, c));
    }

    private sealed class FailingLater : IAsyncEvents
    {
        public async Task Later(string msg)
        {
            await Task.Yield();
            if (msg == "fail")
            {
                throw new InvalidOperationException(msg);
            }
        }
    }
}
