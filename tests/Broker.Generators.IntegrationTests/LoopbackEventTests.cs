using System.Collections.Immutable;
using System.Net;
using Broker.Data;
using Broker.Generators.IntegrationTests.Contracts;
using Broker.Generators.IntegrationTests.TestSupport;
using Broker.Typed;
using Broker.Zeek;

namespace Broker.Generators.IntegrationTests;

/// <summary>Generated publishers and dispatch tables talking over two real endpoints on 127.0.0.1.</summary>
public class LoopbackEventTests
{
    [Fact]
    public async Task A_generated_publisher_works_over_the_websocket_client()
    {
        // The WebSocket client has no binary path: the generated event value builds its tree (IBrokerPublisher's
        // default Publish<T>) and travels as JSON; the endpoint's typed handler sees the same event.
        await using var endpoint = new BrokerEndpoint();
        var recorder = new Recorder();
        await using var registration = IDemoEvents.Subscribe(endpoint, recorder);
        var ws = await endpoint.ListenWebSocketAsync();
        await using var client = await Broker.WebSockets.BrokerWebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{ws.Port}/v1/messages/json"), ["unused/"]);

        IDemoEvents.Publisher(client).MyEvent("over json", 12);
        Assert.Equal(new object?[] { "over json", 12UL }, await recorder.Await("my_event"));
    }

    [Fact]
    public async Task A_bad_argument_throws_from_the_call_even_when_nobody_receives_it()
    {
        // The generated event values convert what can fail when they are created, not when (or if) a frame is written.
        await using var lonely = new BrokerEndpoint();
        IAllTypes publisher = IAllTypes.Publisher(lonely);
        var e = Assert.Throws<ArgumentNullException>(() => publisher.Scalars(true, 1, 2, 3, 4, 5, null!));
        Assert.Equal("text", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => publisher.Enums((Proto)99, Proto.Tcp, null));
        publisher.Scalars(true, 1, 2, 3, 4, 5, "fine");
    }

    [Fact]
    public async Task Every_mapped_type_crosses_a_real_connection()
    {
        await using var net = await Loopback.StartAsync();
        var recorder = new Recorder();
        var errors = new List<ErrorEvent>();
        await using var registration = IAllTypes.Subscribe(net.Subscriber, recorder, new TypedSubscriptionOptions { OnError = e => { lock (errors) { errors.Add(e); } } });
        await net.WaitForSubscriptionAsync("itest/all/scalars");

        IAllTypes publisher = IAllTypes.Publisher(net.Publisher);
        var at = new DateTimeOffset(2026, 11, 28, 18, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var v6 = IPAddress.Parse("2001:db8::1");
        var origin = new Endpoint(IPAddress.Parse("10.0.0.1"), BrokerPort.Tcp(443));
        var connection = new Connection { Uid = "C1", Origin = origin, Proto = Proto.Udp, Duration = null, Services = ["dns", "ssl"] };

        publisher.Scalars(true, ulong.MaxValue, long.MinValue, -42, 42u, 3.25, "hëllo");
        publisher.SmallNumbers(ushort.MaxValue, 200, short.MinValue, -100, 1.5f);
        publisher.Network(IPAddress.Parse("192.168.1.2"), v6, IPNetwork.Parse("10.1.0.0/16"), BrokerPort.Udp(53));
        await publisher.Time(at, TimeSpan.FromMilliseconds(1500.5));
        await publisher.Enums(Proto.Icmp, Proto.Tcp, null);
        publisher.Nullables("text", null, 7, null, null);
        publisher.Collections([1, 2, 3], ["a", "b"], [-1, 0, 1], [0.5, 1.5],
            ["x", "y"], new HashSet<IPAddress> { IPAddress.Loopback, v6 }, new Dictionary<string, ulong> { ["k"] = 9 },
            new Dictionary<BrokerPort, List<string>> { [BrokerPort.Tcp(80)] = ["http"], [BrokerPort.Tcp(22)] = [] });
        publisher.Records(origin, connection, [origin, origin with { Port = BrokerPort.Tcp(8443) }], null);
        publisher.Raw(BrokerData.Table((BrokerData.EnumValue("Conn::LOG"), BrokerData.Vector(1UL, "two"))));
        publisher.Nothing();

        var scalars = await recorder.Await("scalars");
        Assert.Equal(new object?[] { true, ulong.MaxValue, long.MinValue, -42, 42u, 3.25, "hëllo" }, scalars);

        Assert.Equal(new object?[] { ushort.MaxValue, (byte)200, short.MinValue, (sbyte)-100, 1.5f }, await recorder.Await("small_numbers"));

        var network = await recorder.Await("network");
        Assert.Equal(IPAddress.Parse("192.168.1.2"), network[0]);
        Assert.Equal(v6, network[1]);
        Assert.Equal(IPNetwork.Parse("10.1.0.0/16"), network[2]);
        Assert.Equal(BrokerPort.Udp(53), network[3]);

        var time = await recorder.Await("time");
        Assert.Equal(at, time[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(1500.5), time[1]);

        Assert.Equal(new object?[] { Proto.Icmp, Proto.Tcp, null }, await recorder.Await("enums"));
        Assert.Equal(new object?[] { "text", null, 7UL, null, null }, await recorder.Await("nullables"));

        var collections = await recorder.Await("collections");
        Assert.Equal([1UL, 2UL, 3UL], (List<ulong>)collections[0]!);
        Assert.Equal(["a", "b"], (string[])collections[1]!);
        Assert.Equal([-1L, 0L, 1L], ((ImmutableArray<long>)collections[2]!).ToArray());
        Assert.Equal([0.5, 1.5], (IReadOnlyList<double>)collections[3]!);
        Assert.True(((HashSet<string>)collections[4]!).SetEquals(["x", "y"]));
        Assert.True(((ISet<IPAddress>)collections[5]!).SetEquals([IPAddress.Loopback, v6]));
        Assert.Equal(9UL, ((Dictionary<string, ulong>)collections[6]!)["k"]);
        var nested = (IReadOnlyDictionary<BrokerPort, List<string>>)collections[7]!;
        Assert.Equal(["http"], nested[BrokerPort.Tcp(80)]);
        Assert.Empty(nested[BrokerPort.Tcp(22)]);

        var records = await recorder.Await("records");
        Assert.Equal(origin, records[0]);
        var received = (Connection)records[1]!;
        Assert.Equal(("C1", origin, Proto.Udp, (TimeSpan?)null), (received.Uid, received.Origin, received.Proto, received.Duration));
        Assert.Equal(["dns", "ssl"], received.Services);
        Assert.Equal([origin, origin with { Port = BrokerPort.Tcp(8443) }], (List<Endpoint>)records[2]!);
        Assert.Null(records[3]);

        var raw = (BrokerData)(await recorder.Await("raw"))[0]!;
        Assert.Equal(BrokerData.Table((BrokerData.EnumValue("Conn::LOG"), BrokerData.Vector(1UL, "two"))), raw);

        Assert.Empty(await recorder.Await("nothing"));
        await Loopback.WaitUntilAsync(() => registration.HandledCount == 10, "all ten events are counted as handled");
        Assert.Empty(errors);
        Assert.Equal(10, registration.ReadEncodedCount); // every one read from its bytes, records through TryReadBroker
    }

    [Fact]
    public async Task Mismatched_events_become_error_events_and_the_handler_keeps_running()
    {
        await using var net = await Loopback.StartAsync();
        var events = net.Subscriber.SubscribeEvents();
        var recorder = new Recorder();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<ErrorEvent>();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, recorder, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        // Wrong arity, a count sent as an integer, a non-event, an undeclared event, then a good one.
        net.Publisher.Publish("bro/event/my_event", ZeekEvent.Encode("my_event", [BrokerData.String("only one")]));
        net.Publisher.Publish("bro/event/my_event", ZeekEvent.Encode("my_event", [BrokerData.String("x"), BrokerData.Integer(5)]));
        net.Publisher.Publish("bro/event/my_event", BrokerData.Count(1));
        net.Publisher.Publish("bro/event/other", ZeekEvent.Encode("not_in_contract", []));
        IDemoEvents.Publisher(net.Publisher).MyEvent("good", 3);

        Assert.Equal(new object?[] { "good", 3UL }, await recorder.Await("my_event"));
        await Loopback.WaitUntilAsync(() => errors.Count == 3 && registration.IgnoredCount == 1, "three errors and one ignored event are reported");

        var list = errors.ToArray();
        Assert.Contains("'my_event' expects 2 arguments (my_event(string msg, ulong c)) but 1 arrived", list[0].Message, StringComparison.Ordinal);
        Assert.Equal(Errors.BrokerErrorCode.TypeClash, list[1].Code);
        Assert.Contains("my_event: 'c' is declared as ulong but the value received is a Broker integer (5)", list[1].Message, StringComparison.Ordinal);
        Assert.Equal(Errors.BrokerErrorCode.InvalidMessage, list[2].Code);
        Assert.Equal(3, registration.ErrorCount);
        Assert.Equal(1, registration.HandledCount);

        // The same errors reach the endpoint's event stream.
        var first = await Loopback.WithDeadline(events.NextErrorAsync(e => e.Message.Contains("expects 2 arguments", StringComparison.Ordinal)), "the arity error event");
        Assert.Equal(Errors.BrokerErrorCode.TypeClash, first.Code);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task A_throwing_handler_becomes_an_error_event()
    {
        await using var net = await Loopback.StartAsync();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<ErrorEvent>();
        var handler = new Throwing();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, handler, new TypedSubscriptionOptions { OnError = errors.Enqueue });
        await net.WaitForSubscriptionAsync("bro/event/my_event");

        var publisher = IDemoEvents.Publisher(net.Publisher);
        publisher.MyEvent("boom", 1);
        publisher.MyAutoEvent("fine", 2);

        await Loopback.WaitUntilAsync(() => handler.AutoCalls == 1 && errors.Count == 1, "the second event is handled after the first threw");
        Assert.Contains("threw InvalidOperationException: boom", errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoPublisher_runs_local_handlers_and_publishes_only_auto_events()
    {
        await using var net = await Loopback.StartAsync();
        var remote = new Recorder();
        await using var registration = IDemoEvents.Subscribe(net.Subscriber, remote);
        await net.WaitForSubscriptionAsync("bro/event/my_auto_event");

        var local = new Recorder();
        var auto = IDemoEvents.AutoPublisher(net.Publisher, local);
        auto.MyEvent("local only", 1);
        auto.MyAutoEvent("both", 2);

        Assert.Equal(new object?[] { "local only", 1UL }, await local.Await("my_event"));
        Assert.Equal(new object?[] { "both", 2UL }, await local.Await("my_auto_event"));
        Assert.Equal(new object?[] { "both", 2UL }, await remote.Await("my_auto_event"));

        // my_event was published before my_auto_event would have been, on the same connection, so had it been sent it
        // would have arrived first: the remote side saw only the auto event.
        Assert.Equal(["my_auto_event"], remote.Order);
    }

    private sealed class Throwing : IDemoEvents
    {
        private int _auto;

        public int AutoCalls => Volatile.Read(ref _auto);

        public void MyEvent(string msg, ulong c) => throw new InvalidOperationException(msg);

        public void MyAutoEvent(string msg, ulong c) => Interlocked.Increment(ref _auto);
    }
}

internal static class EventStreamExtensions
{
    public static async Task<ErrorEvent> NextErrorAsync(this EventSubscription events, Func<ErrorEvent, bool> match)
    {
        await foreach (var e in events)
        {
            if (e is ErrorEvent error && match(error))
            {
                return error;
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
