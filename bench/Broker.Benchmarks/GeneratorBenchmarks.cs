using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Broker.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Broker.Benchmarks;

/// <summary>
/// The typed-layer generator at scale: 500 contracts of 5 events each (one file per contract).
/// <c>FullRun</c> is a cold build's generator pass; <c>UnrelatedEdit</c> re-runs a warm driver after editing a file that
/// holds no contract (the IDE keystroke case); <c>CompileGenerated</c> is what compiling the generated code adds.
/// Run: <c>dotnet run -c Release --project bench/Broker.Benchmarks -- --filter '*GeneratorBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int Contracts = 500;
    private const int EventsPerContract = 5;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;
    private ImmutableArray<SyntaxTree> _generatedTrees;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = CreateCompilation();
        _warm = CreateDriver(track: false).RunGenerators(_compilation);
        var unrelated = _compilation.SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
        _edited = _compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Unrelated { public static int Value => 2; public static string Name => \"edited\"; }", ParseOptions, "Unrelated.cs"));
        _generatedTrees = _warm.GetRunResult().GeneratedTrees;
        if (_generatedTrees.Length != Contracts || !_warm.GetRunResult().Diagnostics.IsEmpty)
        {
            throw new InvalidOperationException($"Expected {Contracts} generated files and no diagnostics.");
        }

        VerifyUnrelatedEditIsCached();
    }

    [Benchmark(Description = "500 contracts x 5 events: cold generator run")]
    public GeneratorDriver FullRun() => CreateDriver(track: false).RunGenerators(_compilation);

    [Benchmark(Description = "unrelated edit: warm generator run")]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_edited);

    [Benchmark(Description = "compile the 500 generated files (emit, with vs without is the added cost)")]
    public long CompileGenerated() => Emit(_compilation.AddSyntaxTrees(_generatedTrees));

    [Benchmark(Baseline = true, Description = "compile the contracts alone (baseline for CompileGenerated)")]
    public long CompileContractsOnly() => Emit(_compilation);

    private static long Emit(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        return result.Success ? stream.Length : throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Take(5)));
    }

    /// <summary>Fails the run unless every output step is Cached after the unrelated edit (no regeneration work).</summary>
    private void VerifyUnrelatedEditIsCached()
    {
        var driver = CreateDriver(track: true).RunGenerators(_compilation);
        var watch = Stopwatch.StartNew();
        var result = driver.RunGenerators(_edited).GetRunResult().Results.Single();
        watch.Stop();
        int outputs = 0;
        foreach (var step in result.TrackedOutputSteps.SelectMany(s => s.Value))
        {
            foreach (var (_, reason) in step.Outputs)
            {
                outputs++;
                if (reason != IncrementalStepRunReason.Cached)
                {
                    throw new InvalidOperationException($"An unrelated edit re-ran an output step ({reason}).");
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// GeneratorBenchmarks: unrelated edit left all {outputs} source outputs Cached (tracked run {watch.Elapsed.TotalMilliseconds:0.0} ms)."));
    }

    private static GeneratorDriver CreateDriver(bool track) =>
        CSharpGeneratorDriver.Create(
            [new BrokerGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static CSharpCompilation CreateCompilation()
    {
        string[] types = ["string", "ulong", "long", "double", "bool", "System.Net.IPAddress", "System.TimeSpan", "System.DateTimeOffset",
            "System.Collections.Generic.List<string>", "System.Collections.Generic.Dictionary<string, ulong>", "ulong?", "Broker.Data.BrokerPort"];
        var trees = new List<SyntaxTree>();
        for (int c = 0; c < Contracts; c++)
        {
            var source = new StringBuilder();
            source.Append(CultureInfo.InvariantCulture, $"namespace Bench.C{c};\n[Broker.BrokerEvents(\"bench/c{c}/\")]\npublic partial interface IContract{c}\n{{\n");
            for (int e = 0; e < EventsPerContract; e++)
            {
                string a = types[(c + e) % types.Length];
                string b = types[(c + (3 * e) + 1) % types.Length];
                source.Append(CultureInfo.InvariantCulture, $"    [Broker.BrokerEvent(\"event_{c}_{e}\", AutoPublish = {(e % 2 == 0 ? "true" : "false")})]\n    void Event{e}({a} first, {b} second, string note);\n");
            }

            source.Append("}\n");
            trees.Add(CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions, $"Contract{c}.cs"));
        }

        trees.Add(CSharpSyntaxTree.ParseText("namespace Other; public static class Unrelated { public static int Value => 1; }", ParseOptions, "Unrelated.cs"));
        return CSharpCompilation.Create(
            "BenchContracts",
            trees,
            [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(BrokerEndpoint).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }
}
