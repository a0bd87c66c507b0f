using System.Collections.Immutable;
using System.Diagnostics;
using Broker;
using Broker.Data;
using Broker.Zeek;

namespace Broker.LoadTest;

/// <summary>
/// Two processes over loopback. The parent publishes, a child process (this program in <see cref="ChildMode"/>)
/// subscribes. Three measurements: events/s of a 2-argument Zeek event, round-trip latency (ping-pong), and the
/// memory of a publisher whose subscriber drains at a tenth of the publishing rate.
/// </summary>
internal static class PubSubMode
{
    public const string ChildMode = "pubsub-child";

    private const string Payload = "payload-0123456789";

    // How often the throughput child reports progress to the publisher (see --window).
    private const int AckEvery = 4096;

    public static async Task<int> RunAsync(string[] args)
    {
        int count = TwoProcess.IntArg(args, "--count", 2_000_000);

        // Events sent before the measurement starts, so JIT tiering (which runs for seconds under load) and other
        // start-up work are not counted; the measured count follows them.
        int warmup = TwoProcess.IntArg(args, "--warmup", 1_000_000);
        int seconds = TwoProcess.IntArg(args, "--seconds", 10);
        int onlyAt = Array.IndexOf(args, "--only");
        string? only = onlyAt >= 0 && onlyAt + 1 < args.Length ? args[onlyAt + 1] : null; // throughput | rtt | slow
        bool Runs(string phase) => only is null || only == phase;

        // typed: the generated IBenchEvents publisher (the event is written straight into the frame);
        // data: a BrokerData tree built per event (ZeekEvent.Encode), as untyped code would.
        int apiAt = Array.IndexOf(args, "--api");
        bool typed = !(apiAt >= 0 && apiAt + 1 < args.Length && args[apiAt + 1] == "data");

        // typed: the subscriber is a generated IBenchEvents handler (arguments read straight from the bytes);
        // data: it reads BrokerMessage values (a BrokerData tree per event) from a plain subscription.
        int recvAt = Array.IndexOf(args, "--recv");
        string recv = recvAt >= 0 && recvAt + 1 < args.Length && args[recvAt + 1] == "data" ? "data" : "typed";
        Console.WriteLine($"# Broker.LoadTest pubsub: {Environment.ProcessorCount} cores, .NET {Environment.Version}, count {count} after a warm-up of {warmup}, api {(typed ? "typed (generated publisher)" : "data (BrokerData tree per event)")}, recv {(recv == "typed" ? "typed (generated handler)" : "data (BrokerData tree per event)")}, window {TwoProcess.IntArg(args, "--window", 32768)}");

        // 1. Throughput.
        if (Runs("throughput"))
        {
            await using var pub = new BrokerEndpoint(new BrokerEndpointOptions { PeerBufferSize = 65536 });

            // End-to-end flow control: the child reports how many events it has taken (every AckEvery) and the
            // publisher keeps at most `window` unacknowledged, below the child's subscriber queue (65,536), so the
            // figure is the rate the subscriber sustains without loss. --window 0 turns it off (then the subscriber's
            // bounded queue drops what its consumer cannot take).
            int window = TwoProcess.IntArg(args, "--window", 32768);
            await using var acks = pub.Subscribe("/bench/ack");
            long acked = 0;
            int port = (await pub.ListenAsync()).Port;
            using var child = TwoProcess.StartChild(ChildMode, "throughput", port.ToString(), (warmup + count).ToString(), recv, warmup.ToString());
            await TwoProcess.WaitForPeerAsync(pub, "/bench/");
            var events = IBenchEvents.Publisher(pub);
            var cpuStart = TimeSpan.Zero;
            var sw = new Stopwatch();
            for (long i = 0; i < warmup + count; i++)
            {
                if (i == warmup)
                {
                    cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    sw.Start();
                }

                if (typed)
                {
                    events.BenchEvent((ulong)i, Payload);
                }
                else
                {
                    pub.Publish("/bench/events", ZeekEvent.Encode("bench_event", ImmutableArray.Create(BrokerData.Count((ulong)i), BrokerData.String(Payload))));
                }

                if ((i & 4095) == 0)
                {
                    acked = await TwoProcess.ThrottleAsync(pub, acks, i, window, acked);
                }
            }

            double pubSeconds = sw.Elapsed.TotalSeconds;
            string result = await child.StandardOutput.ReadLineAsync() ?? "(child died)";
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
            await child.WaitForExitAsync();
            double cpuPerEvent = cpu.TotalMicroseconds / count;
            Console.WriteLine($"publisher: {count / pubSeconds:N0} events/s offered (wall clock); CPU {cpuPerEvent:0.000} us/event = {1e6 / cpuPerEvent:N0} events per CPU-second; peak working set {Mb(Process.GetCurrentProcess().PeakWorkingSet64)}; drops {pub.GetStatistics().PeerQueueDrops}");
            Console.WriteLine($"subscriber: {result}");
        }

        // 2. Round trip: the child echoes /bench/ping as /bench/pong.
        if (Runs("rtt"))
        {
            await using var pub = new BrokerEndpoint();
            await using var pongs = pub.Subscribe("/bench/pong");
            int port = (await pub.ListenAsync()).Port;
            using var child = TwoProcess.StartChild(ChildMode, "echo", port.ToString(), "0");
            await TwoProcess.WaitForPeerAsync(pub, "/bench/ping");
            var samples = new double[20_000];
            for (int i = -2000; i < samples.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                pub.Publish("/bench/ping", BrokerData.Count((ulong)(i + 2000)));
                await pongs.ReceiveAsync();
                if (i >= 0)
                {
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }

            Array.Sort(samples);
            Console.WriteLine($"round trip: p50 {samples[samples.Length / 2]:0.0} us, p99 {samples[samples.Length * 99 / 100]:0.0} us, max {samples[^1]:0.0} us ({samples.Length} samples)");
            child.Kill();
        }

        // 3. Slow subscriber: publish at a fixed rate; the child drains at a tenth of it.
        if (Runs("slow"))
        {
            const int rate = 100_000;
            await using var pub = new BrokerEndpoint();
            int port = (await pub.ListenAsync()).Port;
            var slowEvents = IBenchEvents.Publisher(pub);
            using var child = TwoProcess.StartChild(ChildMode, "slow", port.ToString(), (rate / 10).ToString());
            await TwoProcess.WaitForPeerAsync(pub, "/bench/");
            var sw = Stopwatch.StartNew();
            long sent = 0;
            var samples = new List<string>();
            GC.Collect();
            long baseline = Process.GetCurrentProcess().WorkingSet64;
            for (int second = 1; second <= seconds; second++)
            {
                while (sw.Elapsed.TotalSeconds < second)
                {
                    long due = (long)(sw.Elapsed.TotalSeconds * rate);
                    for (; sent < due; sent++)
                    {
                        slowEvents.BenchEvent((ulong)sent, Payload);
                    }

                    await Task.Delay(1);
                }

                samples.Add(Mb(Process.GetCurrentProcess().WorkingSet64));
            }

            var stats = pub.GetStatistics();
            child.Kill();
            Console.WriteLine($"slow subscriber ({rate:N0}/s offered, drained at {rate / 10:N0}/s, {seconds} s): publisher working set baseline {Mb(baseline)}, per second [{string.Join(", ", samples)}]; peer queue drops {stats.PeerQueueDrops:N0}");
        }

        return 0;
    }

    public static async Task<int> RunChildAsync(string[] args)
    {
        string role = args[0];
        int port = int.Parse(args[1]);
        int count = int.Parse(args[2]);
        int warmup = args.Length > 4 ? int.Parse(args[4]) : 0;
        await using var sub = new BrokerEndpoint(new BrokerEndpointOptions { SubscriberQueueSize = role == "slow" ? 1024 : 65536 });
        switch (role)
        {
            case "throughput" when args.Length > 3 && args[3] == "typed":
                return await RunTypedThroughputChildAsync(sub, port, count, int.Parse(args[4]));
            case "throughput":
            {
                await using var s = sub.Subscribe("/bench/");
                await sub.PeerAsync("127.0.0.1", port);
                var sw = new Stopwatch();
                var cpuStart = TimeSpan.Zero;
                long received = 0;
                long lastAck = 0;
                long outOfOrder = 0;
                ulong last = 0;

                // Every event is looked at (its sequence number read), as a real consumer would.
                void Take(in BrokerMessage m)
                {
                    ulong seq = m.Data[2][1][0].AsCount();
                    if (seq < last)
                    {
                        outOfOrder++;
                    }

                    last = seq;
                    if (received++ == warmup)
                    {
                        sw.Start();
                        cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    }
                }

                // Dropped messages never arrive: count them as done, or a starved run would wait forever (the
                // drops are reported below).
                while (received + s.DroppedCount < count)
                {
                    var m = await s.ReceiveAsync();
                    Take(m);
                    while (received + s.DroppedCount < count && s.TryReceive(out m))
                    {
                        Take(m);
                    }

                    if (received - lastAck >= AckEvery)
                    {
                        lastAck = received;
                        sub.Publish("/bench/ack", (ulong)(received + s.DroppedCount));
                    }
                }

                // Per event read from the socket (a dropped one was read and decoded too).
                double cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds / (count - warmup - 1);
                Console.WriteLine($"CPU {cpuPerEvent:0.000} us/event = {1e6 / cpuPerEvent:N0} events per CPU-second; {(received - warmup - 1) / sw.Elapsed.TotalSeconds:N0} events/s received (wall clock; delivered events only) ({received:N0} of {count:N0} events, {sw.Elapsed.TotalSeconds:0.00} s); peak working set {Mb(Process.GetCurrentProcess().PeakWorkingSet64)}; subscriber drops {s.DroppedCount}; out of order {outOfOrder}");
                return 0;
            }

            case "echo":
            {
                await using var s = sub.Subscribe("/bench/ping");
                await sub.PeerAsync("127.0.0.1", port);
                await foreach (var m in s)
                {
                    sub.Publish("/bench/pong", m.Data);
                }

                return 0;
            }

            default:
            {
                await using var s = sub.Subscribe("/bench/");
                await sub.PeerAsync("127.0.0.1", port);
                var sw = Stopwatch.StartNew();
                long taken = 0;
                while (true)
                {
                    await s.ReceiveAsync();
                    taken++;
                    var due = TimeSpan.FromSeconds(taken / (double)count);
                    if (due > sw.Elapsed)
                    {
                        await Task.Delay(due - sw.Elapsed);
                    }
                }
            }
        }
    }

    // The throughput child with a generated handler: events are read from the bytes, no BrokerData tree.
    private static async Task<int> RunTypedThroughputChildAsync(BrokerEndpoint sub, int port, int count, int warmup)
    {
        var handler = new CountingHandler(sub, count, warmup);
        await using var registration = IBenchEvents.Subscribe(sub, handler);
        handler.Registration = registration;
        await sub.PeerAsync("127.0.0.1", port);

        // Dropped messages never reach the handler: count them as done, or a starved run would wait forever.
        while (!handler.Done.Task.IsCompleted && handler.Received + registration.DroppedCount < count)
        {
            await Task.WhenAny(handler.Done.Task, Task.Delay(20));
        }

        double cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - handler.CpuStart).TotalMicroseconds / (count - warmup - 1);
        long received = handler.Received;
        double seconds = handler.Clock.Elapsed.TotalSeconds;
        Console.WriteLine($"CPU {cpuPerEvent:0.000} us/event = {1e6 / cpuPerEvent:N0} events per CPU-second; {(received - warmup - 1) / seconds:N0} events/s received (wall clock; delivered events only) ({received:N0} of {count:N0} events, {seconds:0.00} s); peak working set {Mb(Process.GetCurrentProcess().PeakWorkingSet64)}; subscriber drops {registration.DroppedCount}; out of order {handler.OutOfOrder}; handler errors {registration.ErrorCount}");
        return 0;
    }

    /// <summary>Looks at every event (its sequence number), acknowledges progress for the publisher's window.</summary>
    private sealed class CountingHandler(BrokerEndpoint endpoint, int count, int warmup) : IBenchEvents
    {
        private long _lastAck;
        private ulong _last;

        public Broker.Typed.EventHandlerRegistration? Registration { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Stopwatch Clock { get; } = new();

        public TimeSpan CpuStart { get; private set; }

        public long Received { get; private set; }

        public long OutOfOrder { get; private set; }

        public void BenchEvent(ulong seq, string payload)
        {
            if (Received++ == warmup)
            {
                Clock.Start();
                CpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

            if (seq < _last)
            {
                OutOfOrder++;
            }

            _last = seq;
            long dropped = Registration?.DroppedCount ?? 0;
            if (Received - _lastAck >= AckEvery)
            {
                _lastAck = Received;
                endpoint.Publish("/bench/ack", (ulong)(Received + dropped));
            }

            if (Received + dropped >= count)
            {
                Clock.Stop();
                Done.TrySetResult();
            }
        }
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):0.0} MB";
}
