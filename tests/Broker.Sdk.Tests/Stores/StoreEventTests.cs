using Broker.Data;
using Broker.Stores;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

/// <summary>
/// Store change events (spec §5.8) on <c>&lt;$&gt;/local/data/store-events/&lt;store&gt;</c>: emitted by masters and
/// clones, delivered to local subscribers as data and through the typed view, never forwarded to peers.
/// Real endpoints peered over TCP on 127.0.0.1; expiry on a fake store clock.
/// </summary>
public sealed class StoreEventTests : IAsyncLifetime
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private static readonly CloneOptions Clone = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(20),
        MasterTimeout = TimeSpan.FromSeconds(60), // the master's ticks run on a fake clock: no keepalives
        ResyncInterval = TimeSpan.FromMilliseconds(200),
        AttachTimeout = TimeSpan.FromSeconds(8),
        DefaultTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _disposables = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("broker-events-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    private BrokerEndpoint NewEndpoint(string name) => Own(new BrokerEndpoint(new BrokerEndpointOptions { Name = name }));

    private StoreOptions FakeClockMaster => new() { TimeProvider = _clock, TickInterval = TimeSpan.FromMilliseconds(100) };

    private static async Task PeerAsync(BrokerEndpoint listener, BrokerEndpoint dialer)
    {
        var local = await listener.ListenAsync();
        await dialer.PeerAsync("127.0.0.1", local.Port);
        await Wait.UntilAsync(() => listener.Peers.Any(p => p.Id == dialer.Id) && dialer.Peers.Any(p => p.Id == listener.Id), "peering established");
    }

    private static Task<StoreChange> NextAsync(StoreChangeSubscription changes) =>
        WithinAsync(changes.ReceiveAsync, "a store event");

    private static Task<BrokerMessage> NextAsync(BrokerSubscription raw) =>
        WithinAsync(raw.ReceiveAsync, $"a message on '{raw.Prefix}'");

    private static async Task<T> WithinAsync<T>(Func<CancellationToken, ValueTask<T>> receive, string what)
    {
        using var cts = new CancellationTokenSource(ReceiveTimeout);
        try
        {
            return await receive(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {ReceiveTimeout}");
        }
    }

    private static async Task<List<StoreChange>> TakeAsync(StoreChangeSubscription changes, int count)
    {
        var list = new List<StoreChange>();
        for (int i = 0; i < count; i++)
        {
            list.Add(await NextAsync(changes));
        }

        return list;
    }

    private static async Task<List<StoreChange>> TakeAsync(BrokerSubscription raw, int count, string topic)
    {
        var list = new List<StoreChange>();
        for (int i = 0; i < count; i++)
        {
            var message = await NextAsync(raw);
            Assert.Equal(topic, message.Topic);
            Assert.True(StoreChange.TryParse(message.Data, out var change), $"not a store event: {message.Data}");
            list.Add(change);
        }

        return list;
    }

    private static TimeSpan? Secs(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public async Task A_master_emits_every_kind_in_write_order_as_Broker_data_and_typed()
    {
        var ep = NewEndpoint("m");
        var raw = Own(ep.Subscribe(StoreChange.TopicPrefix));
        var master = Own(await ep.AttachMasterAsync("s", options: FakeClockMaster));
        var changes = Own(master.SubscribeChanges());

        master.Put("a", 1UL);
        master.Put("a", 2UL, StoreExpiry.After(TimeSpan.FromSeconds(5)));
        master.Increment("n", BrokerData.Count(3));
        master.Erase("missing");                        // nothing existed: no event (Broker's master)
        master.Increment("a", "not a number");          // type_clash: nothing applied, no event
        Assert.False(await master.PutUniqueAsync("n", 9UL)); // not inserted: no event
        master.Erase("a");
        master.Put("e", "x", StoreExpiry.After(TimeSpan.FromSeconds(1)));
        _clock.Advance(TimeSpan.FromMilliseconds(1100)); // the master's tick expires "e"
        master.Push("v", "first");
        master.Clear();

        // The raw form is Broker's vector, on Broker's per-store topic, published by the master's entity.
        var first = await NextAsync(raw);
        Assert.Equal("<$>/local/data/store-events/s", first.Topic);
        Assert.True(StoreChange.TryParse(first.Data, out var parsed));
        var me = parsed.Publisher;
        Assert.Equal(ep.Id, me.Endpoint);
        Assert.NotEqual(0UL, me.Object);
        Assert.Equal(
            BrokerData.Vector("insert", "s", "a", BrokerData.Count(1), BrokerData.None, ep.Id.ToString(), BrokerData.Count(me.Object)),
            first.Data);

        StoreChange[] expected =
        [
            new StoreChange.Insert("s", "a", BrokerData.Count(1), null, me),
            new StoreChange.Update("s", "a", BrokerData.Count(1), BrokerData.Count(2), Secs(5), me),
            new StoreChange.Insert("s", "n", BrokerData.Count(3), null, me),
            new StoreChange.Erase("s", "a", me),
            new StoreChange.Insert("s", "e", "x", Secs(1), me),
            new StoreChange.Expire("s", "e", me),
            new StoreChange.Insert("s", "v", BrokerData.Vector("first"), null, me),
            new StoreChange.Erase("s", "n", me),
            new StoreChange.Erase("s", "v", me),
        ];
        var typed = await TakeAsync(changes, expected.Length);
        var fromRaw = (await TakeAsync(raw, expected.Length - 1, "<$>/local/data/store-events/s")).Prepend(parsed).ToList();

        // Clear reports one erase per key in the backend's order; everything else in write order.
        static IEnumerable<StoreChange> Normalised(List<StoreChange> list) =>
            list.Take(list.Count - 2).Concat(list.Skip(list.Count - 2).OrderBy(c => c.Key.ToString(), StringComparer.Ordinal));
        Assert.Equal(expected, Normalised(typed));
        Assert.Equal(expected, Normalised(fromRaw));
        Assert.False(changes.TryReceive(out var extra), $"unexpected event {extra}");
        Assert.Equal(0, raw.Count);

        // The data form round-trips.
        foreach (var c in expected)
        {
            Assert.True(StoreChange.TryParse(c.ToData(), out var back));
            Assert.Equal(c, back);
        }
    }

    [Fact]
    public async Task A_clone_emits_the_masters_changes_with_their_publishers_over_tcp()
    {
        var a = NewEndpoint("a");
        var b = NewEndpoint("b");
        await PeerAsync(a, b);
        var master = Own(await a.AttachMasterAsync("kv", options: FakeClockMaster));
        master.Put("pre", 1UL);

        // Subscribed before the attach: the first snapshot arrives as inserts published by the master.
        var raw = Own(b.Subscribe(StoreChange.TopicPrefix + "/kv"));
        var clone = Own(await b.AttachCloneAsync("kv", Clone));
        var changes = Own(clone.SubscribeChanges());
        var snapshot = await TakeAsync(raw, 1, "<$>/local/data/store-events/kv");
        var m = Assert.IsType<StoreChange.Insert>(snapshot[0]);
        Assert.Equal(("pre", BrokerData.Count(1)), (m.Key.AsString(), m.Value));
        Assert.Equal(a.Id, m.Publisher.Endpoint);
        var masterEntity = m.Publisher;

        await clone.PutAsync("k", "v", StoreExpiry.After(TimeSpan.FromSeconds(30))); // the clone writes: its entity is the publisher
        master.Put("k", "w");
        master.Put("e", 5UL, StoreExpiry.After(TimeSpan.FromSeconds(1)));
        _clock.Advance(TimeSpan.FromMilliseconds(1100));
        master.Erase("k");
        master.Clear();

        var got = await TakeAsync(changes, 6);
        var byClone = Assert.IsType<StoreChange.Insert>(got[0]);
        Assert.Equal(b.Id, byClone.Publisher.Endpoint);
        Assert.NotEqual(masterEntity, byClone.Publisher);
        StoreChange[] expected =
        [
            new StoreChange.Insert("kv", "k", "v", Secs(30), byClone.Publisher),
            new StoreChange.Update("kv", "k", "v", "w", null, masterEntity),
            new StoreChange.Insert("kv", "e", BrokerData.Count(5), Secs(1), masterEntity),
            new StoreChange.Expire("kv", "e", masterEntity),
            new StoreChange.Erase("kv", "k", masterEntity),
            new StoreChange.Erase("kv", "pre", masterEntity),
        ];
        Assert.Equal(expected, got);
        Assert.Equal(expected, await TakeAsync(raw, expected.Length, "<$>/local/data/store-events/kv"));
    }

    [Fact]
    public async Task Store_events_stay_on_their_endpoint()
    {
        var a = NewEndpoint("a");
        var c = NewEndpoint("c");
        var everythingOnA = Own(a.Subscribe(""));      // Broker's gotcha: the empty prefix also sees local topics
        var everythingOnC = Own(c.Subscribe(""));      // advertises everything to a
        var master = Own(await a.AttachMasterAsync("local-only")); // before peering: c's "" filter matches every master topic
        await PeerAsync(a, c);
        master.Put("x", 1UL);
        master.Erase("x");
        a.Publish("test/sentinel", "done");

        // The connection is FIFO: had the events been forwarded, c would see them before the sentinel.
        var seenOnC = new List<string>();
        while (true)
        {
            var message = await NextAsync(everythingOnC);
            if (message.Topic == "test/sentinel")
            {
                break;
            }

            seenOnC.Add(message.Topic);
        }

        // (c's own statuses arrive as local data too; a's store events must not.)
        Assert.DoesNotContain(seenOnC, t => t.StartsWith(StoreChange.TopicPrefix, StringComparison.Ordinal));
        BrokerMessage local;
        do
        {
            local = await NextAsync(everythingOnA); // skips a's statuses
        }
        while (!local.Topic.StartsWith(StoreChange.TopicPrefix, StringComparison.Ordinal));

        Assert.Equal("<$>/local/data/store-events/local-only", local.Topic);
        Assert.Equal(EndpointId.Nil, local.Sender); // local origin, as statuses and local publishes
    }

    [Fact]
    public async Task A_sqlite_master_reports_old_values_from_disk()
    {
        string path = Path.Combine(_dir, "events.sqlite");
        var ep = NewEndpoint("sqlite");
        await using (var first = await ep.AttachMasterAsync("disk", StoreBackendOptions.Sqlite(path)))
        {
            await first.PutAsync("kept", "on disk");
            await first.PutAsync("gone", 1UL);
        }

        var master = Own(await ep.AttachMasterAsync("disk", StoreBackendOptions.Sqlite(path)));
        var changes = Own(master.SubscribeChanges());
        master.Put("kept", "replaced");
        master.Increment("gone", BrokerData.Count(2));
        master.Put("new", true);
        master.Clear();

        var got = await TakeAsync(changes, 6);
        var me = got[0].Publisher;
        Assert.Equal(new StoreChange.Update("disk", "kept", "on disk", "replaced", null, me), got[0]);
        Assert.Equal(new StoreChange.Update("disk", "gone", BrokerData.Count(1), BrokerData.Count(3), null, me), got[1]);
        Assert.Equal(new StoreChange.Insert("disk", "new", BrokerData.Boolean(true), null, me), got[2]);
        Assert.Equal(new[] { "gone", "kept", "new" }, got.Skip(3).Select(e => Assert.IsType<StoreChange.Erase>(e).Key.AsString()).Order());
    }

    [Fact]
    public async Task A_master_and_a_clone_on_one_endpoint_report_each_change_once()
    {
        var ep = NewEndpoint("both");
        var raw = Own(ep.Subscribe(StoreChange.TopicPrefix));
        var master = Own(await ep.AttachMasterAsync("twice", options: new StoreOptions { TickInterval = TimeSpan.FromMilliseconds(20) }));
        var clone = Own(await ep.AttachCloneAsync("twice", Clone));
        var fromClone = Own(clone.SubscribeChanges());
        master.Put("x", 1UL);
        await Wait.UntilAsync(async () => await clone.LookupAsync("x") is not null, "the clone applied x");
        master.Put("y", 2UL);
        await Wait.UntilAsync(async () => await clone.LookupAsync("y") is not null, "the clone applied y");

        var keys = new List<string>();
        while (raw.TryReceive(out var message))
        {
            Assert.True(StoreChange.TryParse(message.Data, out var change));
            keys.Add(change.Key.AsString());
        }

        Assert.Equal(new[] { "x", "y" }, keys);
        Assert.Equal("x", (await NextAsync(fromClone)).Key.AsString()); // the clone's view is the endpoint's view
    }

    [Fact]
    public async Task The_typed_view_keeps_to_its_store_although_topics_match_by_prefix()
    {
        var ep = NewEndpoint("prefix");
        var s = Own(await ep.AttachMasterAsync("s"));
        var s2 = Own(await ep.AttachMasterAsync("s2"));
        var changes = Own(s.SubscribeChanges());
        s2.Put("other", 1UL);
        s.Put("mine", 1UL);
        Assert.Equal("mine", (await NextAsync(changes)).Key.AsString());
        Assert.False(changes.TryReceive(out _));

        await changes.DisposeAsync();
        s.Put("after", 1UL); // unsubscribed: nobody listens, nothing is built
        Assert.False(changes.TryReceive(out _));
    }

    [Fact]
    public async Task A_resynchronising_clone_reports_the_difference_to_the_new_snapshot()
    {
        await using var net = new LoopbackNetwork();
        var a = net.AddNode();
        var b = net.AddNode();
        var fast = new StoreOptions { TickInterval = TimeSpan.FromMilliseconds(20) };
        var master = a.Host.AttachMaster("diff", null, fast);
        master.Put("a", 1UL);
        master.Put("b", 2UL);
        master.Put("same", 0UL);
        var raw = b.SubscribeLocal(StoreChange.TopicPrefix, null);
        var clone = await b.Host.AttachCloneAsync("diff", Clone with { MasterTimeout = TimeSpan.FromMilliseconds(600) }, default);
        var initial = await TakeAsync(raw, 3, "<$>/local/data/store-events/diff");
        Assert.All(initial, c => Assert.IsType<StoreChange.Insert>(c));

        // Lose every update for a while: the clone misses them, sees the gap and takes a new snapshot.
        a.DropOutgoing = (topic, _) => topic.EndsWith("/clone", StringComparison.Ordinal);
        master.Put("a", 10UL);
        master.Erase("b");
        master.Put("c", 3UL);
        a.DropOutgoing = null;
        master.Put("d", 4UL);
        await Wait.ConvergedAsync(master, [clone]);

        var diff = await TakeAsync(raw, 4, "<$>/local/data/store-events/diff");
        var publisher = initial[0].Publisher;
        Assert.Equal(new StoreChange.Erase("diff", "b", publisher), diff[0]); // erases first, as Broker's clone
        Assert.Equal(
            new StoreChange[]
            {
                new StoreChange.Update("diff", "a", BrokerData.Count(1), BrokerData.Count(10), null, publisher),
                new StoreChange.Insert("diff", "c", BrokerData.Count(3), null, publisher),
                new StoreChange.Insert("diff", "d", BrokerData.Count(4), null, publisher),
            },
            diff.Skip(1).OrderBy(c => c.Key.AsString(), StringComparer.Ordinal));
        Assert.False(raw.TryReceive(out var extra), $"unexpected {extra.Data}");
        await raw.DisposeAsync();
    }

    [Fact]
    public void Malformed_store_event_data_is_rejected()
    {
        var ep = EndpointId.NewId().ToString();
        Assert.True(StoreChange.TryParse(BrokerData.Vector("erase", "s", "k", BrokerData.None, BrokerData.None), out var nil));
        Assert.True(nil.Publisher.IsNil);
        Assert.True(StoreChange.TryParse(BrokerData.Vector("expire", "s", "k", ep, 7UL), out var ok));
        Assert.Equal(7UL, ok.Publisher.Object);
        Assert.False(StoreChange.TryParse(BrokerData.Vector("erase", "s", "k", "not-a-uuid", 7UL), out _));
        Assert.False(StoreChange.TryParse(BrokerData.Vector("erase", "s", "k", ep, BrokerData.Integer(7)), out _));
        Assert.False(StoreChange.TryParse(BrokerData.Vector("insert", "s", "k", "v", "1s", ep, 7UL), out _)); // expiry not a timespan
        Assert.False(StoreChange.TryParse(BrokerData.Vector("update", "s", "k", "v", ep, 7UL), out _));     // too short
        Assert.False(StoreChange.TryParse(BrokerData.Vector("rename", "s", "k", ep, 7UL), out _));
        Assert.False(StoreChange.TryParse(BrokerData.String("insert"), out _));
        Assert.False(StoreChange.TryParse(BrokerData.Vector(1UL, "s", "k", ep, 7UL), out _));
    }
}
