using System.Diagnostics;
using Broker;
using Broker.Data;
using Broker.Stores;

namespace Broker.LoadTest;

/// <summary>
/// Soak: a hub endpoint with publishers, subscribers, peers that connect and disconnect, and SQLite store traffic
/// (a master on the hub, a clone on a subscriber), for a chosen time (default 10 minutes). Every interval it prints RSS,
/// GC heap, open handles (<c>/proc/self/fd</c>) and threads; at the end it compares the last samples with the ones
/// right after warm-up (the first fifth of the run, at least one minute when the run allows) and prints a verdict.
/// Usage: <c>Broker.LoadTest soak [--minutes N] [--interval S]</c>.
/// </summary>
internal static class SoakMode
{
    private const int KeySpace = 1000; // bounded, so the store's size is flat by design

    public static async Task<int> RunAsync(string[] args)
    {
        double minutes = DoubleArg(args, "--minutes", 10);
        double interval = DoubleArg(args, "--interval", 10);
        var duration = TimeSpan.FromMinutes(minutes);
        Console.WriteLine($"# Broker.LoadTest soak: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {minutes} min, sample every {interval} s");
        string dir = Path.Combine(Path.GetTempPath(), "broker-soak-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        using var stop = new CancellationTokenSource(duration);
        long received = 0, published = 0, churned = 0, storeWrites = 0;

        await using var hub = new BrokerEndpoint(new BrokerEndpointOptions { Name = "hub", PeerBufferSize = 8192 });
        int port = (await hub.ListenAsync()).Port;
        await using var master = await hub.AttachMasterAsync("soak", StoreBackendOptions.Sqlite(Path.Combine(dir, "soak.sqlite")));

        // The hub subscribes too: it advertises only its own filter, so publishers send to it only then (it forwards).
        var subscribers = new List<BrokerEndpoint>();
        var tasks = new List<Task>();
        for (int i = 0; i < 3; i++)
        {
            var sub = i == 2 ? hub : new BrokerEndpoint(new BrokerEndpointOptions { Name = $"sub{i}" });
            if (i < 2)
            {
                subscribers.Add(sub);
            }

            var subscription = sub.Subscribe("soak/");
            if (i < 2)
            {
                await sub.PeerAsync("127.0.0.1", port, TimeSpan.FromSeconds(1));
            }

            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var _ in subscription.WithCancellation(stop.Token))
                    {
                        Interlocked.Increment(ref received);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    await subscription.DisposeAsync();
                }
            }));
        }

        await using var clone = await subscribers[0].AttachCloneAsync("soak");

        var publishers = new List<BrokerEndpoint>();
        for (int i = 0; i < 2; i++)
        {
            var pub = new BrokerEndpoint(new BrokerEndpointOptions { Name = $"pub{i}" });
            publishers.Add(pub);
            await pub.PeerAsync("127.0.0.1", port, TimeSpan.FromSeconds(1));
            int n = i;
            tasks.Add(Task.Run(async () =>
            {
                // ~10,000 messages/s per publisher: 100 every 10 ms.
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
                ulong seq = 0;
                try
                {
                    while (await timer.WaitForNextTickAsync(stop.Token))
                    {
                        for (int k = 0; k < 100; k++)
                        {
                            pub.Publish($"soak/pub{n}", BrokerData.Vector(BrokerData.Count(seq++), "soak-payload-0123456789"));
                        }

                        Interlocked.Add(ref published, 100);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }

        // Store traffic: 200 writes/s over a bounded key space, half through the clone.
        tasks.Add(Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            var random = new Random(1);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    await master.PutAsync($"k{random.Next(KeySpace)}", BrokerData.Count((ulong)random.Next()), cancellationToken: stop.Token);
                    clone.Put($"k{random.Next(KeySpace)}", BrokerData.String("from-clone"));
                    Interlocked.Add(ref storeWrites, 2);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));

        // Churn: a peer connects, publishes, and disconnects every 500 ms.
        tasks.Add(Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await using (var transient = new BrokerEndpoint(new BrokerEndpointOptions { Name = "transient" }))
                    {
                        await transient.PeerAsync("127.0.0.1", port, cancellationToken: stop.Token);
                        transient.Publish("soak/transient", "hello");
                    }

                    Interlocked.Increment(ref churned);
                    await Task.Delay(500, stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));

        var samples = new List<(TimeSpan At, long Rss, long Heap, int Handles, int Threads)>();
        var watch = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        Console.WriteLine("elapsed_s,rss_mib,gc_heap_mib,handles,threads,published,received,store_writes,churned_peers,hub_peers," +
            "rss_anon_mib,rss_file_mib,gc_committed_mib,jit_methods,pool_threads,sqlite_mib");
        using (var ticker = new PeriodicTimer(TimeSpan.FromSeconds(interval)))
        {
            try
            {
                while (await ticker.WaitForNextTickAsync(stop.Token))
                {
                    process.Refresh();
                    var sample = (watch.Elapsed, process.WorkingSet64, GC.GetGCMemoryInfo().HeapSizeBytes, Directory.GetFiles("/proc/self/fd").Length, process.Threads.Count);
                    samples.Add(sample);
                    Console.WriteLine($"{sample.Item1.TotalSeconds:0},{sample.Item2 / 1048576.0:0.0},{sample.Item3 / 1048576.0:0.0},{sample.Item4},{sample.Item5}," +
                        $"{Interlocked.Read(ref published)},{Interlocked.Read(ref received)},{Interlocked.Read(ref storeWrites)},{Interlocked.Read(ref churned)},{hub.Peers.Count}," +
                        // Where RSS goes: anonymous (heap, stacks, native allocations) vs file-backed (mapped code),
                        // GC committed memory, JIT-compiled methods (tiering warm-up), pool threads, SQLite's own allocator.
                        $"{StatusKib("RssAnon:") / 1024.0:0.0},{StatusKib("RssFile:") / 1024.0:0.0},{GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0}," +
                        $"{System.Runtime.JitInfo.GetCompiledMethodCount()},{ThreadPool.ThreadCount},{SQLitePCL.raw.sqlite3_memory_used() / 1048576.0:0.0}");
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(tasks);
        foreach (var ep in publishers.Concat(subscribers))
        {
            await ep.DisposeAsync();
        }

        if (samples.Count >= 4)
        {
            int warm = Math.Max(1, Math.Min(samples.Count / 2, Math.Max(samples.Count / 5, (int)(60 / interval))));
            var baseline = samples[warm - 1];
            var tail = samples.Skip(samples.Count - Math.Max(1, samples.Count / 5)).ToList();
            double rss = tail.Average(s => s.Rss) / baseline.Rss;
            double heap = tail.Average(s => s.Heap) / Math.Max(1, baseline.Heap);
            double handles = tail.Average(s => s.Handles) - baseline.Handles;
            double threads = tail.Average(s => s.Threads) - baseline.Threads;
            bool flat = rss < 1.25 && heap < 1.5 && handles < 10 && threads < 10;
            Console.WriteLine($"# after warm-up ({baseline.At.TotalSeconds:0} s): RSS x{rss:0.00}, GC heap x{heap:0.00}, handles {handles:+0.0;-0.0;0.0}, threads {threads:+0.0;-0.0;0.0} -> {(flat ? "FLAT" : "GROWING")}");

            // Least-squares slope over the last 5 minutes (or the second half of a shorter run): the trend that
            // remains once warm-up (tiered JIT re-compiling slow paths, pool and GC sizing) is over.
            var window = samples.Where(x => x.At >= samples[^1].At - TimeSpan.FromMinutes(5) && x.At >= samples[^1].At / 2).ToList();
            Console.WriteLine($"# slope over the last {(window[^1].At - window[0].At).TotalMinutes:0.0} min: RSS {Slope(window, x => x.Rss / 1048576.0):+0.00;-0.00;0.00} MiB/min, " +
                $"GC heap {Slope(window, x => x.Heap / 1048576.0):+0.00;-0.00;0.00} MiB/min, handles {Slope(window, x => x.Handles):+0.0;-0.0;0.0}/min, threads {Slope(window, x => x.Threads):+0.0;-0.0;0.0}/min");
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static double Slope(List<(TimeSpan At, long Rss, long Heap, int Handles, int Threads)> points, Func<(TimeSpan At, long Rss, long Heap, int Handles, int Threads), double> value)
    {
        double mx = points.Average(p => p.At.TotalMinutes), my = points.Average(value);
        double num = points.Sum(p => (p.At.TotalMinutes - mx) * (value(p) - my));
        double den = points.Sum(p => (p.At.TotalMinutes - mx) * (p.At.TotalMinutes - mx));
        return den == 0 ? 0 : num / den;
    }

    private static long StatusKib(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static double DoubleArg(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
