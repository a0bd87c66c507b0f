using System.Collections;
using System.Reflection;
using Broker.Generators.Common;
using Broker.Generators.Tests.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Broker.Generators.Tests.Incrementality;

/// <summary>The generator's caching: a second run is cached, an unrelated edit is cached, a base-interface edit regenerates.</summary>
public class IncrementalityTests
{
    private static readonly (string Path, string Source)[] Sources =
    [
        ("Demo.cs", Contracts.Demo),
        ("AllTypes.cs", Contracts.AllTypes),
        ("Base.cs", Contracts.BaseContract),
        ("Derived.cs", Contracts.DerivedContract),
        ("Global.cs", Contracts.GlobalRecord),
        ("Unrelated.cs", "namespace Other; public class Plain { public int X => 1; }"),
    ];

    private static readonly string[] OutputSteps = [TrackingNames.ContractModels, TrackingNames.RecordModels, TrackingNames.ContractErrors, TrackingNames.RecordErrors];

    [Fact]
    public void Every_stage_has_a_tracking_name()
    {
        // Include one broken contract and one broken record so the failure branches run too.
        var broken = ("Broken.cs", """
            [Broker.BrokerEvents("x/")] public partial interface IBroken { [Broker.BrokerEvent("e")] void E(System.Uri u); }
            [Broker.BrokerRecord] public partial record BrokenRecord(System.Uri U);
            """);
        var (result, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile([.. Sources, broken]));
        var steps = result.Results.Single().TrackedSteps;
        foreach (string name in new[] { TrackingNames.Contracts, TrackingNames.ContractModels, TrackingNames.ContractErrors, TrackingNames.LogStreams, TrackingNames.Records, TrackingNames.RecordModels, TrackingNames.RecordErrors })
        {
            Assert.True(steps.ContainsKey(name), $"No tracked step named {name}; tracked: {string.Join(", ", steps.Keys)}");
        }
    }

    [Fact]
    public void Second_run_with_same_input_is_fully_cached()
    {
        var compilation = GeneratorHarness.Compile(Sources);
        var (first, _, driver) = GeneratorHarness.Run(compilation);
        var (second, _, _) = GeneratorHarness.Run(compilation.Clone(), driver);

        Assert.Equal(
            first.GeneratedTrees.Select(t => t.ToString()),
            second.GeneratedTrees.Select(t => t.ToString()));
        AssertAllOutputs(second, TrackingNames.All, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.All(second.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Unrelated_edit_does_no_regeneration_work()
    {
        var compilation = GeneratorHarness.Compile(Sources);
        var (_, _, driver) = GeneratorHarness.Run(compilation);

        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            "namespace Other; public class Plain { public int X => 2; public string Y => \"edited\"; }", GeneratorHarness.ParseOptions, "Unrelated.cs"));
        var (second, _, _) = GeneratorHarness.Run(edited, driver);

        // The models compare equal, so nothing downstream of parsing runs again and no source is re-emitted.
        AssertAllOutputs(second, OutputSteps, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.All(second.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Edit_inside_a_contract_file_regenerates_only_that_contract()
    {
        var compilation = GeneratorHarness.Compile(Sources);
        var (_, _, driver) = GeneratorHarness.Run(compilation);

        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Demo.cs");
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Contracts.Demo.Replace("void MyEvent(string msg, ulong c);", "void MyEvent(string msg, long c);"), GeneratorHarness.ParseOptions, "Demo.cs"));
        var (second, _, _) = GeneratorHarness.Run(edited, driver);

        var contractOutputs = second.Results.Single().TrackedSteps[TrackingNames.ContractModels].SelectMany(s => s.Outputs).ToList();
        Assert.Single(contractOutputs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(contractOutputs.Where(o => o.Reason != IncrementalStepRunReason.Modified),
            o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.Contains("DecodeInteger", second.GeneratedTrees.Single(t => t.FilePath.EndsWith("Demo.IDemoEvents.BrokerEvents.g.cs", StringComparison.Ordinal)).ToString());
    }

    [Fact]
    public void Base_interface_edit_in_another_file_regenerates_the_derived_contract()
    {
        var compilation = GeneratorHarness.Compile(Sources);
        var (first, _, driver) = GeneratorHarness.Run(compilation);
        string Derived(GeneratorDriverRunResult r) =>
            r.GeneratedTrees.Single(t => t.FilePath.EndsWith("Inheritance.Outer.IDerivedEvents.BrokerEvents.g.cs", StringComparison.Ordinal)).ToString();
        Assert.DoesNotContain("\"ping2\"", Derived(first));

        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Base.cs");
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Contracts.BaseContract.Replace("void Ping(ulong seq);", "void Ping(ulong seq);\n    [BrokerEvent(\"ping2\")]\n    void Ping2(string note);"),
            GeneratorHarness.ParseOptions, "Base.cs"));
        var (second, output, _) = GeneratorHarness.Run(edited, driver);

        // Derived.cs did not change, yet its contract inherits Ping2 and must be regenerated.
        Assert.Contains("\"ping2\"", Derived(second));
        Assert.Contains("Ping2(string note)", Derived(second));
        var reasons = second.Results.Single().TrackedSteps[TrackingNames.ContractModels].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(2, reasons.Count(r => r == IncrementalStepRunReason.Modified)); // base and derived; Demo and AllTypes stay cached
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void No_symbol_syntax_or_compilation_is_reachable_from_any_stage()
    {
        var (result, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile(Sources));
        foreach (var (name, steps) in result.Results.Single().TrackedSteps.Where(s => TrackingNames.All.Contains(s.Key)))
        {
            foreach (var step in steps)
            {
                foreach (var (value, _) in step.Outputs)
                {
                    AssertNoBannedTypes(value, $"{name} output", new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    private static void AssertAllOutputs(GeneratorDriverRunResult result, IEnumerable<string> stepNames, params IncrementalStepRunReason[] allowed)
    {
        var steps = result.Results.Single().TrackedSteps;
        foreach (string name in stepNames)
        {
            if (!steps.TryGetValue(name, out var runs))
            {
                continue;
            }

            foreach (var output in runs.SelectMany(r => r.Outputs))
            {
                Assert.True(allowed.Contains(output.Reason), $"Step {name} produced {output.Reason} for {output.Value}");
            }
        }
    }

    private static void AssertNoBannedTypes(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"{path} holds a {value.GetType().Name}, which must never cross a pipeline stage.");

        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                AssertNoBannedTypes(item, $"{path}[{i++}]", seen);
            }
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer)
                {
                    continue;
                }

                AssertNoBannedTypes(field.GetValue(value), $"{path}.{field.Name}", seen);
            }
        }
    }
}
