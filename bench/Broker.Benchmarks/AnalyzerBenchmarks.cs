using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Basic.Reference.Assemblies;
using Broker.Analyzers.Events;
using Broker.Analyzers.Stores;
using Broker.Analyzers.Topics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Broker.Benchmarks;

/// <summary>
/// Cost of the Broker analyzers on a 500-contract project: 500 [BrokerEvents] interfaces (4 events each, mixed
/// types), 500 classes that publish, subscribe and query stores with constant topics. Compares binding plus compiler
/// diagnostics alone with the same plus all Broker analyzers; per-analyzer times are printed at cleanup.
/// Run: dotnet run -c Release --project bench/Broker.Benchmarks -- --filter "*AnalyzerBenchmarks*"
/// </summary>
[Config(typeof(InProcessConfig))]
public class AnalyzerBenchmarks
{
    // In-process: the workload is Roslyn itself, and a separate boilerplate build of this project takes longer than
    // BenchmarkDotNet's build timeout on a busy 2-core machine.
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
                .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    private const int Contracts = 500;

    private CSharpCompilation compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> analyzers;

    [GlobalSetup]
    public void Setup()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new List<SyntaxTree>(Contracts + 1) { CSharpSyntaxTree.ParseText(Store, parse, "Store.cs") };
        for (int i = 0; i < Contracts; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(Contract(i), parse, $"Contract{i}.cs"));
        }

        compilation = CSharpCompilation.Create(
            "FiveHundredContracts",
            trees,
            [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(BrokerEndpoint).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        analyzers = [new TopicConstantAnalyzer(), new TopicReachabilityAnalyzer(), new StoreQueryTimeoutAnalyzer(), new EventContractAnalyzer()];
    }

    /// <summary>Baseline: what the compiler spends binding the project (a fresh compilation each time, as after an edit).</summary>
    [Benchmark(Baseline = true)]
    public int CompilerDiagnostics() => compilation.Clone().GetDiagnostics().Length;

    /// <summary>The same plus every Broker analyzer.</summary>
    [Benchmark]
    public int CompilerAndBrokerAnalyzers()
    {
        var fresh = compilation.Clone();
        int compiler = fresh.GetDiagnostics().Length;
        var withAnalyzers = fresh.WithAnalyzers(analyzers);
        return compiler + withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
    }

    /// <summary>
    /// CPU time (not wall time, which a busy shared machine distorts) of binding alone and of binding plus the
    /// analyzers, single-threaded, and each analyzer's own execution time as Roslyn measures it.
    /// </summary>
    [GlobalCleanup]
    public void PrintPerAnalyzerTimes()
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }

        var fresh = compilation.Clone();
        TimeSpan start = Cpu();
        fresh.GetDiagnostics();
        TimeSpan compilerCpu = Cpu() - start;

        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
        var withAnalyzers = fresh.WithAnalyzers(analyzers, options);
        start = Cpu();
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        TimeSpan analyzerCpu = Cpu() - start;

        var text = new StringBuilder()
            .AppendLine($"// Broker analyzers on {Contracts} contracts: {diagnostics.Length} diagnostics (expected {Contracts * 3})")
            .AppendLine($"//   CPU, binding + compiler diagnostics: {compilerCpu.TotalMilliseconds:F0} ms")
            .AppendLine($"//   CPU, all Broker analyzers on the bound compilation (single-threaded): {analyzerCpu.TotalMilliseconds:F0} ms");
        foreach (DiagnosticAnalyzer analyzer in analyzers)
        {
            var telemetry = withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).GetAwaiter().GetResult();
            text.AppendLine($"//   {analyzer.GetType().Name}: {telemetry.ExecutionTime.TotalMilliseconds:F1} ms");
        }

        Console.WriteLine(text);
    }

    // Each contract file: one interface with four events, one class with publish/subscribe/store calls. Every file
    // carries three findings (a malformed topic, a prefix with a visible sibling, an unbounded store query) so the
    // analyzers do their full work, including reporting.
    private static string Contract(int i) => $$"""
        using System.Collections.Generic;
        using System.Net;
        using System.Threading;
        using System.Threading.Tasks;
        using Broker;
        using Broker.Data;

        namespace Contracts{{i}}
        {
            public enum Level{{i}} { Low, High }

            [BrokerRecord] public partial record Info{{i}}(string Name, ulong Count, IPAddress? Origin);

            [BrokerEvents("app/c{{i}}/")]
            public partial interface IEvents{{i}}
            {
                [BrokerEvent("ping")] void Ping(string message, ulong sequence);
                [BrokerEvent("status")] ValueTask Status(Level{{i}} level, Info{{i}} info, TimeSpan uptime);
                [BrokerEvent("hosts")] void Hosts(ISet<IPAddress> hosts, Dictionary<string, List<long>> counters);
                [BrokerEvent("maybe")] void Maybe(int? value, BrokerData extra);
            }

            public sealed class Worker{{i}}
            {
                private const string Topic = "app/c{{i}}/ping";

                public async Task RunAsync(BrokerEndpoint endpoint, Store store, string name, CancellationToken cancellationToken)
                {
                    endpoint.Subscribe("app/c{{i}}/");
                    endpoint.Subscribe("app/c{{i}}/status");
                    endpoint.Publish(Topic, default);
                    endpoint.Publish($"app/c{{i}}/{name}", default);
                    endpoint.Publish("app/c{{i}}//bad", default);
                    endpoint.Publish("app/c{{i}}/statuses", default);
                    await store.GetAsync("key", cancellationToken);
                    await store.GetAsync("key");
                    for (int n = 0; n < 3; n++)
                    {
                        endpoint.Publish("app/c{{i}}/ping", BrokerData.Count((ulong)n));
                    }
                }
            }
        }
        """;

    private const string Store = """
        using System.Threading;
        using System.Threading.Tasks;
        using Broker;
        public sealed class Store
        {
            [StoreQuery] public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default) => default;
        }
        """;
}
