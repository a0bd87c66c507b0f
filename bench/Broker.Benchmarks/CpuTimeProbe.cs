using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Broker.Data;
using Broker.Serialization;
using Broker.Topics;

namespace Broker.Benchmarks;

/// <summary>
/// Measures the same operations as <see cref="CodecBenchmarks"/> and <see cref="PrefixIndexBenchmarks"/> in
/// <em>thread CPU time</em> (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), which, unlike BenchmarkDotNet's wall-clock
/// figures, is not inflated when a shared machine is oversubscribed. Reports the best of several rounds.
/// Run: <c>dotnet run -c Release --project bench/Broker.Benchmarks -- --cpu [name filter]</c> (Linux only).
/// </summary>
public static class CpuTimeProbe
{
    private const int ClockThreadCpuTime = 3;

    private static readonly object[] Sink = new object[5];

    private static string? s_filter;

    public static void Run(string? filter = null)
    {
        s_filter = filter;
        var writer = new ArrayBufferWriter<byte>(256);
        var zeekEvent = BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("hello", 42UL)));
        byte[] bytes = BrokerBinary.Encode(zeekEvent);

        var index = new PrefixIndex<int>();
        var naive = new List<(string, int)>();
        for (int i = 0; i < 9_997; i++)
        {
            string prefix = (i % 3) switch
            {
                0 => $"zeek/event/worker-{i}/",
                1 => $"zeek/cluster/node-{i}/",
                _ => $"app/{i % 97}/stream-{i}",
            };
            index.Add(prefix, i);
            naive.Add((prefix, i));
        }

        foreach (var (prefix, value) in new[] { ("zeek/", -1), ("zeek/event/", -2), ("zeek/event/worker-4711/conn", -3) })
        {
            index.Add(prefix, value);
            naive.Add((prefix, value));
        }

        var results = new List<int>(16);
        const string Hit = "zeek/event/worker-4711/conn/new";
        const string Miss = "bro/log/Conn::LOG";

        Console.WriteLine($"{"Operation",-40} {"CPU ns/op (best)",18} {"alloc B/op",11}");
        Measure("Codec: Encode (Zeek event)", () =>
        {
            writer.ResetWrittenCount();
            BrokerBinary.Encode(zeekEvent, writer);
        });
        Measure("Codec: Decode (Zeek event)", () => BrokerBinary.Decode(bytes));
        Measure("Codec: Encode+Decode (Zeek event)", () =>
        {
            writer.ResetWrittenCount();
            BrokerBinary.Encode(zeekEvent, writer);
            BrokerBinary.Decode(writer.WrittenSpan);
        });
        Measure("Codec: Validate (Zeek event)", () => BrokerBinary.Validate(bytes));
        Measure("Codec: DecodeTyped (Zeek event)", () => CodecBenchmarks.ReadTyped(bytes));
        byte[] buffer = new byte[256];
        Measure("Codec: Encode+DecodeTyped (Zeek event)", () =>
        {
            var direct = new BrokerWriter(buffer);
            new CodecBenchmarks.MyEvent("hello", 42).WriteTo(ref direct);
            CodecBenchmarks.ReadTyped(buffer.AsSpan(0, direct.BytesWritten));
        });
        Measure("Codec: Validate+DecodeTyped (Zeek event)", () =>
        {
            BrokerBinary.Validate(bytes);
            CodecBenchmarks.ReadTyped(bytes);
        });

        // The reader's string cache against transcoding each time (what TryReadString would do without it).
        byte[] hello = BrokerBinary.Encode(BrokerData.String("hello"));
        Measure("Codec part: TryReadString \"hello\" (cached)", () =>
        {
            var reader = new BrokerReader(hello);
            reader.TryReadString(out string s);
            Sink[0] = s;
        });
        Measure("Codec part: \"hello\" bytes + UTF8.GetString", () =>
        {
            var reader = new BrokerReader(hello);
            reader.TryReadStringBytes(out var s);
            Sink[0] = System.Text.Encoding.UTF8.GetString(s);
        });

        // Parts, to see where a decode's time goes.
        byte[] countBytes = BrokerBinary.Encode(BrokerData.Count(42));
        byte[] stringBytes = BrokerBinary.Encode(BrokerData.String("my_event"));
        byte[] pairBytes = BrokerBinary.Encode(BrokerData.Vector("hello", 42UL));
        Measure("Codec part: decode count", () => BrokerBinary.Decode(countBytes));
        Measure("Codec part: decode string (interned)", () => BrokerBinary.Decode(stringBytes));
        Measure("Codec part: decode [\"hello\", 42]", () => BrokerBinary.Decode(pairBytes));

        // Calibration: what the decode allocates since the shared-array change: one array of the 7 elements.
        Measure("Codec calibration: one 7-element array", () => Sink[0] = new BrokerData[7]);

        // Calibration: the five allocations the decode of the event used to make (3 element arrays, 2 strings).
        Measure("Calibration: the decode's 5 allocations", () =>
        {
            // Stored in a field so the JIT cannot stack-allocate them.
            Sink[0] = new BrokerData[3];
            Sink[1] = new BrokerData[2];
            Sink[2] = new BrokerData[2];
            Sink[3] = new byte[8];
            Sink[4] = new byte[5];
        });
        Measure($"PrefixIndex.Match, 10k subs, hit (3)", () =>
        {
            results.Clear();
            index.Match(Hit, results);
        });
        Measure($"PrefixIndex.Match, 10k subs, miss", () =>
        {
            results.Clear();
            index.Match(Miss, results);
        });
        Measure($"PrefixIndex.HasMatch, 10k subs, miss", () => index.HasMatch(Miss));
        Measure($"Naive StartsWith scan, 10k subs, hit", () =>
        {
            results.Clear();
            foreach (var (prefix, value) in naive)
            {
                if (Hit.StartsWith(prefix, StringComparison.Ordinal)) results.Add(value);
            }
        }, operations: 2_000);
    }

    private static void Measure(string name, Action action, int operations = 200_000)
    {
        if (s_filter is not null && !name.Contains(s_filter, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        for (int i = 0; i < 50_000 && i < operations * 2; i++)
        {
            action(); // let tiered compilation settle
        }

        Thread.Sleep(200); // give the background tier-1 compiler its turn
        for (int i = 0; i < operations; i++)
        {
            action();
        }

        double best = double.MaxValue;
        long allocated = 0;
        for (int round = 0; round < 7; round++)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long start = ThreadCpuNanoseconds();
            for (int i = 0; i < operations; i++)
            {
                action();
            }

            long cpu = ThreadCpuNanoseconds() - start;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            best = Math.Min(best, (double)cpu / operations);
        }

        Console.WriteLine($"{name,-40} {best,18:F1} {(double)allocated / operations,11:F0}");
    }

    internal static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Stopwatch.GetTimestamp() * (1_000_000_000L / Stopwatch.Frequency);
        }

        clock_gettime(ClockThreadCpuTime, out var ts);
        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
