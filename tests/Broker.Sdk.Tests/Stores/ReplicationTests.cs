using Broker.Data;
using Broker.Errors;
using Broker.Stores;
using Broker.Stores.Actors;
using Broker.Stores.Wire;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

/// <summary>Master, clones and frontends on separate hosts exchanging real command bytes over the loopback transport.</summary>
public sealed class ReplicationTests : IAsyncLifetime
{
    private static readonly CloneOptions Fast = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(20),
        MasterTimeout = TimeSpan.FromMilliseconds(600),
        ResyncInterval = TimeSpan.FromMilliseconds(100),
        AttachTimeout = TimeSpan.FromSeconds(5),
        DefaultTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly StoreOptions FastMaster = new() { TickInterval = TimeSpan.FromMilliseconds(20), HeartbeatTicks = 5 };

    private readonly LoopbackNetwork _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    private static Task ConvergedAsync(DataStore master, params DataStore[] clones) => Wait.ConvergedAsync(master, clones);

    [Fact]
    public async Task Seed_store_example_across_two_hosts_with_a_clone_and_a_frontend()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var h = a.Host.AttachMaster("mystore", null, FastMaster);
        await SeedStoreScript.WriteAsync(h);

        await using var clone = await b.Host.AttachCloneAsync("mystore", Fast, default);
        var keys = await clone.KeysAsync();
        Assert.Equal(BrokerData.Set("myset", "myvec", "one", "two"), keys);
        foreach (var (key, value) in SeedStoreScript.Expected)
        {
            Assert.Equal(value, await clone.LookupAsync(key));
        }

        var frontend = b.Host.AttachFrontend("mystore", Fast);
        foreach (var key in keys.AsSet())
        {
            Assert.Equal(await h.GetAsync(key), await frontend.GetAsync(key));
        }

        Assert.Equal(4UL, await frontend.SizeAsync());
        Assert.Equal(BrokerData.String("delta"), await frontend.PopLeftAsync("myvec"));
        await ConvergedAsync(h, clone);
    }

    [Fact]
    public async Task Clone_writes_go_through_the_master_and_updates_flow_back_in_order()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var master = a.Host.AttachMaster("kv", null, FastMaster);
        await using var clone = await b.Host.AttachCloneAsync("kv", Fast, default);
        clone.Put("c", 3UL);
        clone.Increment("c", BrokerData.Count(2));
        Assert.True(await clone.PutUniqueAsync("u", 7UL));
        Assert.False(await clone.PutUniqueAsync("u", 8UL));
        await clone.PutAsync("mine", "x");
        // An awaited write is visible on the same clone once it returns: the update precedes the answer.
        Assert.Equal(BrokerData.String("x"), await clone.GetAsync("mine"));
        Assert.Equal(BrokerData.Count(5), await master.GetAsync("c"));
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await clone.IncrementAsync("mine", BrokerData.Count(1)));
        Assert.Equal(BrokerErrorCode.TypeClash, ex.Code);
        Assert.Equal("kv", ex.Store);
        Assert.Equal(BrokerErrorCode.TypeClash, (await Assert.ThrowsAsync<StoreException>(async () => await clone.AddToSetAsync("c", "x"))).Code);
        master.Erase("c");
        master.Put("exp", 1UL, StoreExpiry.After(TimeSpan.FromMilliseconds(50)));
        await ConvergedAsync(master, clone);
        await Wait.UntilAsync(async () => !await clone.ExistsAsync("exp"), "expiry reaches the clone");
        master.Clear();
        await ConvergedAsync(master, clone);
        Assert.Equal(0UL, await clone.SizeAsync());
    }

    [Fact]
    public async Task A_clone_attached_before_the_master_syncs_when_the_master_appears()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var attaching = b.Host.AttachCloneAsync("late", Fast, default).AsTask();
        Assert.False(attaching.IsCompleted);
        var master = a.Host.AttachMaster("late", null, FastMaster);
        master.Put("k", "v");
        await using var clone = await attaching;
        await Wait.UntilAsync(async () => await clone.LookupAsync("k") == BrokerData.String("v"), "clone sees k");
    }

    [Fact]
    public async Task A_clone_without_any_master_fails_with_no_such_master_within_its_timeout()
    {
        var b = _net.AddNode();
        var options = Fast with { AttachTimeout = TimeSpan.FromMilliseconds(300) };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await b.Host.AttachCloneAsync("nobody", options, default));
        Assert.Equal(BrokerErrorCode.NoSuchMaster, ex.Code);
        Assert.Contains("nobody", ex.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task A_frontend_for_an_unknown_store_fails_fast_with_no_such_master()
    {
        var b = _net.AddNode();
        var frontend = b.Host.AttachFrontend("unknown", Fast);
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await frontend.GetAsync("k"));
        Assert.Equal(BrokerErrorCode.NoSuchMaster, ex.Code);
    }

    [Fact]
    public async Task A_silent_master_gives_request_timeout_naming_store_operation_and_time_and_leaves_no_state()
    {
        var clock = new FakeTimeProvider();
        var silent = _net.AddNode();
        using var _ = silent.Subscribe("quiet/<$>/data/master", _ => { }); // advertises the topic, never answers
        var b = _net.AddNode(clock);
        var frontend = b.Host.AttachFrontend("quiet", new StoreOptions { DefaultTimeout = TimeSpan.FromSeconds(3), TimeProvider = clock });
        var pending = frontend.GetAsync("k").AsTask();
        var remote = (RemoteActor)frontend.Actor;
        await Wait.UntilAsync(() => remote.PendingRequests == 1, "request registered");
        clock.Advance(TimeSpan.FromSeconds(3));
        var ex = await Assert.ThrowsAsync<StoreTimeoutException>(() => pending);
        Assert.Equal(BrokerErrorCode.RequestTimeout, ex.Code);
        Assert.Equal("quiet", ex.Store);
        Assert.Equal("get", ex.Operation);
        Assert.Equal(TimeSpan.FromSeconds(3), ex.Waited);
        Assert.Contains("quiet", ex.Message);
        Assert.Equal(0, remote.PendingRequests);

        using var cts = new CancellationTokenSource();
        var cancelled = frontend.SizeAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, remote.PendingRequests);
    }

    [Fact]
    public async Task A_master_that_vanishes_mid_query_gives_a_typed_timeout()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var master = a.Host.AttachMaster("gone", null, FastMaster);
        master.Put("k", 1UL);
        var frontend = b.Host.AttachFrontend("gone", new StoreOptions { DefaultTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(BrokerData.Count(1), await frontend.GetAsync("k"));
        a.DropOutgoing = (_, _) => true; // the master stops answering mid-conversation
        await Assert.ThrowsAsync<StoreTimeoutException>(async () => await frontend.GetAsync("k"));
    }

    [Fact]
    public async Task Only_one_master_per_name_in_the_network()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var master = a.Host.AttachMaster("solo", null, FastMaster);
        Assert.Same(master, a.Host.AttachMaster("solo", null, FastMaster));
        var ex = Assert.Throws<StoreException>(() => b.Host.AttachMaster("solo", null, FastMaster));
        Assert.Equal(BrokerErrorCode.MasterExists, ex.Code);
        await master.DisposeAsync();
        await using var again = b.Host.AttachMaster("solo", null, FastMaster);
        Assert.Equal(StoreRole.Master, again.Role);
    }

    [Fact]
    public async Task A_gap_in_the_update_stream_triggers_a_resync()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var master = a.Host.AttachMaster("gap", null, FastMaster);
        await using var clone = await b.Host.AttachCloneAsync("gap", Fast, default);
        int dropped = 0;
        a.DropOutgoing = (topic, payload) =>
            topic.EndsWith("/clone", StringComparison.Ordinal)
            && StoreCommandCodec.Parse(payload.Span).Content is PutCommand p && p.Key == BrokerData.String("lost")
            && Interlocked.Increment(ref dropped) == 1;
        master.Put("lost", 1UL);
        master.Put("after", 2UL);
        await ConvergedAsync(master, clone);
        Assert.Equal(1, dropped);
        Assert.Equal(BrokerData.Count(1), await clone.GetAsync("lost"));
    }

    [Fact]
    public async Task A_clone_resyncs_after_a_master_restart()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var dir = Directory.CreateTempSubdirectory("broker-resync-").FullName;
        try
        {
            var file = Path.Combine(dir, "r.sqlite");
            var master = a.Host.AttachMaster("r", StoreBackendOptions.Sqlite(file), FastMaster);
            master.Put("before", 1UL);
            await using var clone = await b.Host.AttachCloneAsync("r", Fast, default);
            Assert.Equal(BrokerData.Count(1), await clone.GetAsync("before"));
            await master.DisposeAsync();

            // The restarted master lives on another host, reopens the file and changes it.
            var c = _net.AddNode();
            var restarted = c.Host.AttachMaster("r", StoreBackendOptions.Sqlite(file), FastMaster);
            restarted.Put("after", 2UL);
            restarted.Erase("before");
            await ConvergedAsync(restarted, clone);
            Assert.Null(await clone.LookupAsync("before"));
            clone.Put("from-clone", 3UL);
            await Wait.UntilAsync(async () => await restarted.LookupAsync("from-clone") is not null, "the clone writes to the new master");
            await restarted.DisposeAsync();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Three_clones_converge_after_ten_thousand_mixed_writes_from_several_writers()
    {
        var m = _net.AddNode();
        var master = m.Host.AttachMaster("burst", null, FastMaster);
        var clones = new DataStore[3];
        for (int i = 0; i < clones.Length; i++)
        {
            clones[i] = await _net.AddNode().Host.AttachCloneAsync("burst", Fast, default);
        }

        var writers = new[] { master, clones[0], clones[1], clones[2] };
        await Task.WhenAll(writers.Select((w, wi) => Task.Run(async () =>
        {
            var random = new Random(wi);
            for (int i = 0; i < 2_500; i++)
            {
                string key = "k" + random.Next(200);
                switch (random.Next(6))
                {
                    case 0: w.Put(key, (ulong)i); break;
                    case 1: w.Increment("counter" + random.Next(5), BrokerData.Count(1)); break;
                    case 2: w.Erase(key); break;
                    case 3: w.Push("list" + random.Next(5), $"{wi}:{i}"); break;
                    case 4: w.InsertInto("set" + random.Next(5), (ulong)random.Next(50)); break;
                    default: w.Append("log" + random.Next(3), "x"); break;
                }
            }

            // FIFO per writer: once this answer arrives, all of this writer's earlier writes are applied.
            await w.PutAsync("done-" + wi, true);
        })));
        await ConvergedAsync(master, clones);
        ulong counters = 0;
        foreach (var kv in (await master.SnapshotAsync()).AsTable())
        {
            if (kv.Key.AsString().StartsWith("counter", StringComparison.Ordinal))
            {
                counters += kv.Value.AsCount();
            }
        }

        Assert.True(counters > 0);
        foreach (var c in clones)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reads_fail_with_stale_data_after_the_stale_interval_and_recover_on_resync()
    {
        var clock = new FakeTimeProvider();
        var a = _net.AddNode();
        var b = _net.AddNode(clock);
        var master = a.Host.AttachMaster("st", null, FastMaster);
        master.Put("k", 1UL);
        var options = new CloneOptions
        {
            TimeProvider = clock,
            MasterTimeout = TimeSpan.FromSeconds(2),
            StaleInterval = TimeSpan.FromSeconds(5),
            MutationBufferInterval = TimeSpan.FromSeconds(30),
            DefaultTimeout = TimeSpan.FromSeconds(60),
        };
        await using var clone = await b.Host.AttachCloneAsync("st", options, default);
        a.Connected = false;
        clock.Advance(TimeSpan.FromSeconds(2.2));
        Assert.False(clone.IsSynchronized);
        Assert.Equal(BrokerData.Count(1), await clone.GetAsync("k")); // lost, not yet stale
        clone.Put("buffered", 2UL);
        clock.Advance(TimeSpan.FromSeconds(5.5));
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await clone.GetAsync("k"));
        Assert.Equal(BrokerErrorCode.StaleData, ex.Code);
        Assert.Equal(1, ((RemoteActor)clone.Actor).BufferedWrites);

        a.Connected = true;
        await Wait.UntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100)); // ticks send nack [0] until the master answers
            return clone.IsSynchronized;
        }, "resync after reconnect");
        Assert.Equal(BrokerData.Count(1), await clone.GetAsync("k"));
        await Wait.UntilAsync(async () => await master.LookupAsync("buffered") == BrokerData.Count(2), "buffered write replayed");
    }

    [Fact]
    public async Task Writes_buffered_longer_than_the_buffer_interval_are_dropped_with_an_error()
    {
        var clock = new FakeTimeProvider();
        var a = _net.AddNode();
        var b = _net.AddNode(clock);
        var master = a.Host.AttachMaster("drop", null, FastMaster);
        var options = new CloneOptions
        {
            TimeProvider = clock,
            MasterTimeout = TimeSpan.FromSeconds(1),
            MutationBufferInterval = TimeSpan.FromSeconds(3),
            DefaultTimeout = TimeSpan.FromSeconds(60),
        };
        await using var clone = await b.Host.AttachCloneAsync("drop", options, default);
        a.Connected = false;
        clock.Advance(TimeSpan.FromSeconds(1.2));
        clone.Put("fire-and-forget", 1UL);
        var awaited = clone.PutAsync("awaited", 2UL).AsTask();
        Assert.Equal(2, ((RemoteActor)clone.Actor).BufferedWrites);
        clock.Advance(TimeSpan.FromSeconds(3.5));
        var ex = await Assert.ThrowsAsync<StoreException>(() => awaited);
        Assert.Equal(BrokerErrorCode.NoSuchMaster, ex.Code);
        Assert.Equal(0, ((RemoteActor)clone.Actor).BufferedWrites);
        a.Connected = true;
        await Wait.UntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            return clone.IsSynchronized;
        }, "resync");
        Assert.Null(await master.LookupAsync("fire-and-forget"));
        Assert.Null(await master.LookupAsync("awaited"));
    }

    [Fact]
    public async Task Malformed_store_commands_from_a_peer_are_dropped_and_counted()
    {
        var a = _net.AddNode();
        var b = _net.AddNode();
        var master = a.Host.AttachMaster("bad", null, FastMaster);
        await using var clone = await b.Host.AttachCloneAsync("bad", Fast, default);
        var stranger = EndpointId.NewId();
        byte[][] junk =
        [
            [], [1, 2, 3], new byte[57], Enumerable.Repeat((byte)0xff, 300).ToArray(),
            StoreCommandCodec.Serialize(new StoreCommand(0, default, default, new PutCommand("k", 1UL, null, default)))[..60],
        ];
        foreach (var bytes in junk)
        {
            a.Inject("bad/<$>/data/master", bytes, stranger);
            b.Inject("bad/<$>/data/clone", bytes, stranger);
        }

        // A well-formed but nonsensical command: an update from a stranger posing as a master.
        b.Inject("bad/<$>/data/clone", StoreCommandCodec.Serialize(new StoreCommand(99, new EntityId(stranger, 1), default,
            new PutCommand("evil", 1UL, null, default))), stranger);
        await Wait.UntilAsync(() => master.MalformedCommands == junk.Length && clone.MalformedCommands == junk.Length, "all junk counted");
        master.Put("still", "works");
        await ConvergedAsync(master, clone);
        Assert.Null(await master.LookupAsync("evil"));
        Assert.Null(await clone.LookupAsync("evil"));
    }
}
