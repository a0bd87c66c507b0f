using System.Diagnostics;
using Broker.Data;
using Broker.Stores;

namespace Broker.LoadTest;

/// <summary>
/// Data-store load programs. Usage:
///   stores master [--backend memory|sqlite] [--count N] [--events]
///                                                            puts/s and lookups/s on a master; --events also
///                                                            drains every store event through the typed view
///   stores replication [--clones 3] [--count N]               writes/s until every clone (TCP peers) agrees
///   stores remote-lookup [--count N]                          frontend lookup latency over TCP (p50/p99)
///   stores crash-writer PATH COUNT                            acknowledged SQLite writes, then waits to be killed
/// </summary>
internal static class StoresMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "master";
        int count = IntOption(args, "--count", mode == "remote-lookup" ? 20_000 : 200_000);
        switch (mode)
        {
            case "master":
                await MasterAsync(Option(args, "--backend") ?? "memory", count, Array.IndexOf(args, "--events") >= 0);
                return 0;
            case "replication":
                await ReplicationAsync(IntOption(args, "--clones", 3), count);
                return 0;
            case "remote-lookup":
                await RemoteLookupAsync(count);
                return 0;
            case "crash-writer":
                await CrashWriterAsync(args[1], int.Parse(args[2]));
                return 0;
            default:
                Console.Error.WriteLine($"unknown stores mode '{mode}'");
                return 2;
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v) : fallback;

    private static BrokerData[] Keys(int count)
    {
        var keys = new BrokerData[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = BrokerData.String("key-" + i);
        }

        return keys;
    }

    private static async Task MasterAsync(string backend, int count, bool events)
    {
        string? dir = null;
        StoreBackendOptions options = StoreBackendOptions.Memory;
        if (backend == "sqlite")
        {
            dir = Directory.CreateTempSubdirectory("broker-bench-").FullName;
            options = StoreBackendOptions.Sqlite(Path.Combine(dir, "bench.sqlite")); // WAL + synchronous=NORMAL (defaults)
        }

        await using var endpoint = new BrokerEndpoint();
        var store = await endpoint.AttachMasterAsync("bench", options);
        var keys = Keys(count);
        // Warm-up.
        for (int i = 0; i < Math.Min(count, 10_000); i++)
        {
            store.Put(keys[i], (ulong)i);
        }

        // With --events a consumer drains the typed change stream concurrently; the clock stops when it has seen all.
        await using var changes = events ? store.SubscribeChanges(new SubscriberOptions { QueueSize = count + 1 }) : null;
        var drained = changes is null ? Task.FromResult(0L) : DrainAsync(changes, count);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            store.Put(keys[i], (ulong)i);
        }

        long seen = await drained;
        double puts = count / sw.Elapsed.TotalSeconds;
        sw.Restart();
        ulong sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += (await store.GetAsync(keys[i])).AsCount();
        }

        double lookups = count / sw.Elapsed.TotalSeconds;
        string withEvents = events ? $", events on ({seen:N0} events received)" : "";
        Console.WriteLine($"master backend={backend} count={count}{withEvents}: {puts:N0} puts/s, {lookups:N0} lookups/s (checksum {sum})");
        await store.DisposeAsync();
        if (dir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    private static async Task<long> DrainAsync(StoreChangeSubscription changes, int count)
    {
        long seen = 0;
        await foreach (var change in changes)
        {
            if (change is StoreChange.Insert or StoreChange.Update && ++seen == count)
            {
                break;
            }
        }

        return seen;
    }

    private static BrokerEndpoint NewEndpoint(string name) =>
        new(new BrokerEndpointOptions { Name = name, PeerBufferSize = 1 << 20 });

    private static async Task ReplicationAsync(int cloneCount, int count)
    {
        var hub = NewEndpoint("master");
        int port = (await hub.ListenAsync()).Port;
        var master = await hub.AttachMasterAsync("repl");
        var endpoints = new List<BrokerEndpoint>();
        var clones = new List<DataStore>();
        for (int i = 0; i < cloneCount; i++)
        {
            var ep = NewEndpoint("clone" + i);
            await ep.PeerAsync("127.0.0.1", port);
            endpoints.Add(ep);
            clones.Add(await ep.AttachCloneAsync("repl"));
        }

        var keys = Keys(count);
        var last = BrokerData.Count((ulong)count - 1);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            master.Put(keys[i], (ulong)i);
        }

        double accepted = sw.Elapsed.TotalSeconds;
        foreach (var clone in clones)
        {
            while (await clone.LookupAsync(keys[^1]) != last || await clone.SizeAsync() != (ulong)count)
            {
                await Task.Delay(1);
            }
        }

        double agreed = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"replication clones={cloneCount} count={count}: master accepted in {accepted * 1000:N0} ms, " +
                          $"every clone agreed after {agreed * 1000:N0} ms = {count / agreed:N0} writes/s replicated");
        foreach (var ep in endpoints)
        {
            await ep.DisposeAsync();
        }

        await hub.DisposeAsync();
    }

    private static async Task RemoteLookupAsync(int count)
    {
        await using var a = NewEndpoint("master");
        await using var b = NewEndpoint("frontend");
        int port = (await a.ListenAsync()).Port;
        await b.PeerAsync("127.0.0.1", port);
        var master = await a.AttachMasterAsync("lat");
        var keys = Keys(1000);
        for (int i = 0; i < keys.Length; i++)
        {
            master.Put(keys[i], (ulong)i);
        }

        var frontend = b.AttachFrontend("lat");
        while (true)
        {
            try
            {
                await frontend.GetAsync(keys[0]);
                break;
            }
            catch (StoreException e) when (e.Code == Broker.Errors.BrokerErrorCode.NoSuchMaster)
            {
                await Task.Delay(1); // the master's filter has not reached us yet
            }
        }

        for (int i = 0; i < 2_000; i++)
        {
            await frontend.GetAsync(keys[i % keys.Length]); // warm-up
        }

        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await frontend.GetAsync(keys[i % keys.Length]);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        Console.WriteLine($"remote lookup (frontend -> master over TCP loopback) n={count}: " +
                          $"p50 {samples[count / 2]:N1} us, p90 {samples[count * 9 / 10]:N1} us, p99 {samples[count * 99 / 100]:N1} us");
    }

    private static async Task CrashWriterAsync(string path, int count)
    {
        var endpoint = new BrokerEndpoint();
        var store = await endpoint.AttachMasterAsync("crash", StoreBackendOptions.Sqlite(path));
        for (int i = 0; i < count; i++)
        {
            await store.PutAsync("k" + i, (ulong)i);
            Console.Out.WriteLine("ack " + i); // acknowledged: the write is committed
            Console.Out.Flush();
        }

        Console.Out.WriteLine("done");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite); // wait for SIGKILL
    }
}
