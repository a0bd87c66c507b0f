using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Broker.Data;
using Broker.Serialization;

namespace Broker.Benchmarks;

/// <summary>
/// Before/after comparison of two builds of Broker.Sdk in ONE process: each build is loaded into its own
/// <see cref="AssemblyLoadContext"/> (with its own copy of this assembly, so <see cref="CodecOps"/> binds to it), and
/// rounds of the same operation alternate between the two. On a shared, noisy machine, separate runs of
/// <see cref="CpuTimeProbe"/> differ by ±30 % from one process to the next; paired rounds see the same noise.
/// Reports thread CPU time per operation: the minimum and the 10th, 25th and 50th percentiles of the rounds.
/// Run: <c>dotnet Broker.Benchmarks.dll --paired &lt;folder with the old Broker.Sdk.dll&gt; &lt;folder with the new
/// one&gt; [operation filter|all] [rounds]</c> (Linux only). A folder for a commit:
/// <c>git archive C src/Broker.Sdk src/Shared Directory.Build.props Directory.Packages.props | tar -x -C /tmp/C &amp;&amp;
/// dotnet build /tmp/C/src/Broker.Sdk -c Release -o /tmp/C-sdk</c>.
/// </summary>
public static class PairedCodecProbe
{
    private static readonly string[] Operations = [nameof(CodecOps.Encode), nameof(CodecOps.Decode), nameof(CodecOps.EncodeDecode), nameof(CodecOps.DecodePair), nameof(CodecOps.DecodeCount)];

    public static void Run(string before, string after, string? filter, int rounds)
    {
        var builds = new[] { Load("before", before), Load("after", after) };
        Console.WriteLine($"{"Operation",-14} {"Build",-7} {"min",8} {"p10",8} {"p25",8} {"median",8} {"alloc B/op",11}   (thread CPU ns/op, {rounds} paired rounds)");
        foreach (string operation in Operations)
        {
            if (filter is not null && !operation.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var actions = builds.Select(b => b.GetType(typeof(CodecOps).FullName!, throwOnError: true)!
                .GetMethod(operation, BindingFlags.Public | BindingFlags.Static)!
                .CreateDelegate<Action<int>>()).ToArray();
            Measure(operation, actions, rounds);
        }
    }

    // This assembly again, in a context where Broker.Sdk comes from the given folder.
    private static Assembly Load(string name, string folder)
    {
        string sdk = Path.Combine(Path.GetFullPath(folder), "Broker.Sdk.dll");
        if (!File.Exists(sdk))
        {
            throw new FileNotFoundException($"No Broker.Sdk.dll in {folder}", sdk);
        }

        return new BuildContext(name, sdk).LoadFromAssemblyPath(typeof(PairedCodecProbe).Assembly.Location);
    }

    // Broker.Sdk from the given file (before the default context could supply the app's own); everything else from
    // the default context.
    private sealed class BuildContext(string name, string sdkPath) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == "Broker.Sdk" ? LoadFromAssemblyPath(sdkPath) : null;
    }

    private static void Measure(string operation, Action<int>[] actions, int rounds)
    {
        const int Operations = 10_000;
        for (int i = 0; i < 40; i++)
        {
            actions[0](Operations);
            actions[1](Operations);
        }

        Thread.Sleep(300); // the background tier-1 compiler's turn
        var results = new[] { new List<double>(), new List<double>() };
        var allocated = new long[2];
        for (int round = 0; round < rounds; round++)
        {
            for (int j = 0; j < 2; j++)
            {
                int k = (round & 1) == 0 ? j : 1 - j; // alternate which build goes first
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                long start = CpuTimeProbe.ThreadCpuNanoseconds();
                actions[k](Operations);
                results[k].Add((double)(CpuTimeProbe.ThreadCpuNanoseconds() - start) / Operations);
                allocated[k] = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            }
        }

        for (int k = 0; k < 2; k++)
        {
            var r = results[k];
            r.Sort();
            Console.WriteLine($"{operation,-14} {(k == 0 ? "before" : "after"),-7} {r[0],8:F1} {r[r.Count / 10],8:F1} {r[r.Count / 4],8:F1} {r[r.Count / 2],8:F1} {(double)allocated[k] / Operations,11:F0}");
        }
    }
}

/// <summary>The operations <see cref="PairedCodecProbe"/> times, bound to whichever Broker.Sdk the context loaded.</summary>
public static class CodecOps
{
    private static readonly ArrayBufferWriter<byte> Writer = new(256);
    private static readonly BrokerData Event = BrokerData.Vector(1UL, 1UL, BrokerData.Vector("my_event", BrokerData.Vector("hello", 42UL)));
    private static readonly byte[] EventBytes = BrokerBinary.Encode(Event);
    private static readonly byte[] PairBytes = BrokerBinary.Encode(BrokerData.Vector("hello", 42UL));
    private static readonly byte[] CountBytes = BrokerBinary.Encode(BrokerData.Count(42));

    public static BrokerData Sink { get; private set; }

    public static void Encode(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Writer.ResetWrittenCount();
            BrokerBinary.Encode(Event, Writer);
        }
    }

    public static void Decode(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Sink = BrokerBinary.Decode(EventBytes);
        }
    }

    public static void EncodeDecode(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Writer.ResetWrittenCount();
            BrokerBinary.Encode(Event, Writer);
            Sink = BrokerBinary.Decode(Writer.WrittenSpan);
        }
    }

    public static void DecodePair(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Sink = BrokerBinary.Decode(PairBytes);
        }
    }

    public static void DecodeCount(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Sink = BrokerBinary.Decode(CountBytes);
        }
    }
}
