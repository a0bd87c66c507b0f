using Broker.Data;
using Broker.Errors;
using Broker.Stores;
using Xunit;

namespace Broker.Sdk.Tests.Stores;

/// <summary>Stores across real endpoints peered over TCP on 127.0.0.1 (native command frames on the wire).</summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private static readonly StoreOptions FastMaster = new() { TickInterval = TimeSpan.FromMilliseconds(20) };

    private static readonly CloneOptions FastClone = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(20),
        MasterTimeout = TimeSpan.FromMilliseconds(1500),
        ResyncInterval = TimeSpan.FromMilliseconds(200),
        AttachTimeout = TimeSpan.FromSeconds(8),
        DefaultTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly List<BrokerEndpoint> _endpoints = new();

    private BrokerEndpoint NewEndpoint(string name)
    {
        // Store traffic shares the per-peer queue; a burst of 10,000 writes needs room (see docs/stores.md).
        var ep = new BrokerEndpoint(new BrokerEndpointOptions { Name = name, PeerBufferSize = 1 << 17 });
        _endpoints.Add(ep);
        return ep;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var ep in _endpoints)
        {
            await ep.DisposeAsync();
        }
    }

    private static async Task PeerAsync(BrokerEndpoint listener, BrokerEndpoint dialer)
    {
        var local = await listener.ListenAsync();
        await dialer.PeerAsync("127.0.0.1", local.Port);
        await Wait.UntilAsync(() => listener.Peers.Any(p => p.Id == dialer.Id), "peering established");
    }

    private static Task ConvergedAsync(DataStore master, params DataStore[] clones) => Wait.ConvergedAsync(master, clones, 60_000);

    [Fact]
    public async Task Seed_store_example_end_to_end_over_tcp()
    {
        // stores-listener.bro listens; stores-connector.bro connects, creates the master and mutates it.
        var listener = NewEndpoint("listener");
        var connector = NewEndpoint("connector");
        await PeerAsync(listener, connector);

        var h = await connector.AttachMasterAsync("mystore", options: FastMaster);
        await SeedStoreScript.WriteAsync(h);

        await using var clone = await listener.AttachCloneAsync("mystore", FastClone);
        var keys = (await clone.KeysAsync()).AsSet();
        Assert.Equal(4, keys.Length);
        var expected = SeedStoreScript.Expected;
        foreach (var key in keys)
        {
            Assert.Equal(expected[key.AsString()], await clone.LookupAsync(key));
        }

        // "just replace create_clone with create_frontend": same answers, from the remote master.
        await using var frontend = listener.AttachFrontend("mystore", FastClone);
        foreach (var key in keys)
        {
            Assert.Equal(expected[key.AsString()], await frontend.LookupAsync(key));
        }

        Assert.Null(await frontend.LookupAsync("missing"));
        Assert.Equal(BrokerErrorCode.NoSuchKey, (await Assert.ThrowsAsync<StoreException>(async () => await frontend.GetAsync("missing"))).Code);
    }

    [Fact]
    public async Task Clone_attached_before_peering_completes_and_every_operation_crosses_the_wire()
    {
        var m = NewEndpoint("master");
        var c = NewEndpoint("clone");
        var master = await m.AttachMasterAsync("kv", options: FastMaster);
        master.Put("a", 1UL);
        var attaching = c.AttachCloneAsync("kv", FastClone).AsTask();
        await PeerAsync(m, c);
        await using var clone = await attaching;
        Assert.Equal(BrokerData.Count(1), await clone.GetAsync("a"));

        clone.Put("p", "v", StoreExpiry.After(TimeSpan.FromMinutes(1)));
        clone.Increment("n", BrokerData.Count(2));
        clone.Decrement("n", BrokerData.Count(1));
        clone.Append("s", "ab");
        clone.InsertInto("set", "x");
        clone.InsertInto("tab", "k", 1UL);
        clone.RemoveFrom("tab", "k");
        clone.Push("vec", 1UL);
        clone.Push("vec", 2UL);
        clone.Pop("vec");
        clone.AddToSet("s2", "e");
        clone.RemoveFromSet("s3", "e");
        clone.PushLeft("v2", "b");
        clone.PushLeft("v2", "a");
        clone.Increment("seed");
        clone.Put("tmp", 1UL);
        clone.Erase("tmp");
        Assert.True(await clone.PutUniqueAsync("u", 1UL));
        Assert.False(await clone.PutUniqueAsync("u", 2UL));
        Assert.Equal(BrokerData.String("a"), await clone.PopLeftAsync("v2"));
        await clone.PutAsync("last", true, StoreExpiry.SinceLastModification(TimeSpan.FromMinutes(5)));
        await ConvergedAsync(master, clone);
        Assert.Equal(BrokerData.Count(1), await clone.GetAsync("n"));
        Assert.Equal(BrokerData.Vector(1UL), await clone.GetAsync("vec"));
        Assert.Equal(BrokerData.Table(Array.Empty<KeyValuePair<BrokerData, BrokerData>>()), await clone.GetAsync("tab"));
        Assert.Equal(BrokerData.Set(), await clone.GetAsync("s3"));
        Assert.Equal(BrokerData.Vector("b"), await clone.GetAsync("v2"));
        Assert.Equal(BrokerData.Integer(1), await clone.GetAsync("seed"));
        Assert.False(await clone.ExistsAsync("tmp"));
        Assert.Equal(BrokerErrorCode.TypeClash, (await Assert.ThrowsAsync<StoreException>(async () => await clone.AppendAsync("n", "x"))).Code);

        var frontend = c.AttachFrontend("kv", FastClone);
        Assert.Equal(await master.SizeAsync(), await frontend.SizeAsync());
        Assert.Equal(await master.SnapshotAsync(), await frontend.SnapshotAsync());
        Assert.Equal(BrokerData.Count(1), await frontend.GetIndexAsync("vec", 0UL));

        await frontend.ClearAsync();
        await ConvergedAsync(master, clone);
        Assert.Equal(0UL, await clone.SizeAsync());
    }

    [Fact]
    public async Task Store_writes_are_never_dropped_by_a_small_drop_oldest_peer_queue()
    {
        // Data frames obey the overflow policy; store commands must not, or a fire-and-forget write would vanish.
        var options = new BrokerEndpointOptions { PeerBufferSize = 4, PeerOverflowPolicy = OverflowPolicy.DropOldest };
        var a = new BrokerEndpoint(options with { Name = "master" });
        var b = new BrokerEndpoint(options with { Name = "writer" });
        _endpoints.Add(a);
        _endpoints.Add(b);
        await PeerAsync(a, b);

        var master = await a.AttachMasterAsync("lossless", options: FastMaster);
        await using var clone = await b.AttachCloneAsync("lossless", FastClone);
        const int writes = 3000;
        for (int i = 0; i < writes; i++)
        {
            clone.Put("k" + i, (ulong)i);
        }

        await clone.PutAsync("done", true);
        Assert.Equal((ulong)writes + 1, await master.SizeAsync());
        await ConvergedAsync(master, clone);
    }

    [Fact]
    public async Task A_second_master_on_a_peer_fails_with_master_exists()
    {
        var a = NewEndpoint("a");
        var b = NewEndpoint("b");
        await PeerAsync(a, b);
        await using var master = await a.AttachMasterAsync("only", options: FastMaster);
        await Wait.UntilAsync(() => b.AnyPeerSubscribes("only/<$>/data/master"), "b sees a's master topic");
        var ex = await Assert.ThrowsAsync<StoreException>(async () => await b.AttachMasterAsync("only"));
        Assert.Equal(BrokerErrorCode.MasterExists, ex.Code);
    }

    [Fact]
    public async Task A_clone_with_no_master_anywhere_fails_within_its_timeout()
    {
        var a = NewEndpoint("a");
        var b = NewEndpoint("b");
        await PeerAsync(a, b);
        var ex = await Assert.ThrowsAsync<StoreException>(async () =>
            await b.AttachCloneAsync("ghost", FastClone with { AttachTimeout = TimeSpan.FromMilliseconds(400) }));
        Assert.Equal(BrokerErrorCode.NoSuchMaster, ex.Code);
    }

    [Fact]
    public async Task Clone_resyncs_after_the_master_endpoint_restarts()
    {
        var dir = Directory.CreateTempSubdirectory("broker-e2e-").FullName;
        try
        {
            var file = Path.Combine(dir, "m.sqlite");
            var cloneEp = NewEndpoint("clone");
            var port = (await cloneEp.ListenAsync()).Port;

            var first = new BrokerEndpoint(new BrokerEndpointOptions { Name = "master-1" });
            await first.PeerAsync("127.0.0.1", port);
            var m1 = await first.AttachMasterAsync("r", StoreBackendOptions.Sqlite(file), FastMaster);
            m1.Put("gen", 1UL);
            await using var clone = await cloneEp.AttachCloneAsync("r", FastClone);
            Assert.Equal(BrokerData.Count(1), await clone.GetAsync("gen"));
            await first.DisposeAsync(); // closes the master and its file, says BYE

            var second = NewEndpoint("master-2");
            await second.PeerAsync("127.0.0.1", port);
            var m2 = await second.AttachMasterAsync("r", StoreBackendOptions.Sqlite(file), FastMaster);
            Assert.Equal(BrokerData.Count(1), await m2.GetAsync("gen")); // persisted
            m2.Put("gen", 2UL);
            await ConvergedAsync(m2, clone);
            Assert.Equal(BrokerData.Count(2), await clone.GetAsync("gen"));
            await second.DisposeAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Three_clones_on_three_endpoints_converge_after_ten_thousand_mixed_writes()
    {
        var hub = NewEndpoint("hub");
        var master = await hub.AttachMasterAsync("burst", options: FastMaster);
        var clones = new List<DataStore>();
        for (int i = 0; i < 3; i++)
        {
            var ep = NewEndpoint("c" + i);
            await PeerAsync(hub, ep);
            // A generous answer timeout: on a loaded 2-core CI machine the burst can queue for seconds.
            clones.Add(await ep.AttachCloneAsync("burst", FastClone with { DefaultTimeout = TimeSpan.FromSeconds(60) }));
        }

        var writers = clones.Prepend(master).ToArray();
        await Task.WhenAll(writers.Select((w, wi) => Task.Run(async () =>
        {
            var random = new Random(wi);
            for (int i = 0; i < 2_500; i++)
            {
                string key = "k" + random.Next(300);
                switch (random.Next(5))
                {
                    case 0: w.Put(key, (ulong)i); break;
                    case 1: w.Increment("counter", BrokerData.Count(1)); break;
                    case 2: w.Erase(key); break;
                    case 3: w.Push("list" + random.Next(4), $"{wi}:{i}"); break;
                    default: w.InsertInto("tab", (ulong)random.Next(100), (ulong)i); break;
                }
            }

            await w.PutAsync("done-" + wi, true);
        })));
        await ConvergedAsync(master, clones.ToArray());
        Assert.Equal(4, (await master.SnapshotAsync()).AsTable().Count(kv => kv.Key.AsString().StartsWith("done-", StringComparison.Ordinal)));
    }
}
