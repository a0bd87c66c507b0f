using Broker.Generators.Tests.TestSupport;

namespace Broker.Generators.Tests;

/// <summary>
/// Compares the generated code of representative contracts with the checked-in snapshots under Snapshots/.
/// Regenerate with <c>BROKER_ACCEPT_SNAPSHOTS=1 dotnet test tests/Broker.Generators.Tests</c>, then review the diff.
/// </summary>
public class SnapshotTests
{
    public static readonly Dictionary<string, (string Path, string Source)[]> Cases = new(StringComparer.Ordinal)
    {
        ["Demo"] = [("Demo.cs", Contracts.Demo)],
        ["AllTypes"] = [("AllTypes.cs", Contracts.AllTypes)],
        ["InheritanceAndNesting"] = [("Base.cs", Contracts.BaseContract), ("Derived.cs", Contracts.DerivedContract), ("Global.cs", Contracts.GlobalRecord)],
        ["MessagePackBlob"] = [("Blobs.cs", Contracts.MessagePackBlob)],
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static Dictionary<string, string> Generate(string caseName)
    {
        var (result, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(Cases[caseName]));
        Assert.True(result.Diagnostics.IsEmpty, GeneratorHarness.Describe(result.Diagnostics));
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + GeneratorHarness.Describe(problems));
        return result.Results.Single().GeneratedSources.ToDictionary(
            s => Path.GetFileNameWithoutExtension(s.HintName.EndsWith(".cs", StringComparison.Ordinal) ? s.HintName : s.HintName + ".cs"),
            s => Snapshots.Normalize(s.SourceText.ToString()),
            StringComparer.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Generated_code_matches_snapshot(string caseName)
    {
        var generated = Generate(caseName);
        if (Snapshots.Accepting)
        {
            Snapshots.Accept(caseName, generated);
            return;
        }

        Assert.True(Snapshots.Load().TryGetValue(caseName, out var expected),
            $"No snapshots for case '{caseName}'. Run with BROKER_ACCEPT_SNAPSHOTS=1 to create {Snapshots.Directory(caseName)}.");
        Assert.Equal(expected!.Keys.Order(StringComparer.Ordinal), generated.Keys.Order(StringComparer.Ordinal));
        foreach (var (hint, text) in generated)
        {
            Assert.True(Snapshots.Normalize(expected[hint]) == text,
                $"Generated {hint} differs from Snapshots/{caseName}/{hint}.verified.cs at {Snapshots.FirstDifference(expected[hint], text)}\n" +
                "If the change is intended, run with BROKER_ACCEPT_SNAPSHOTS=1 and review the diff.");
        }
    }

    [Fact]
    public void No_orphaned_snapshots()
    {
        foreach (var (caseName, files) in Snapshots.Load())
        {
            Assert.True(Cases.ContainsKey(caseName), $"Snapshots/{caseName}/ belongs to no snapshot case: delete it.");
            var generated = Generate(caseName);
            foreach (string hint in files.Keys)
            {
                Assert.True(generated.ContainsKey(hint), $"Snapshots/{caseName}/{hint}.verified.cs is no longer generated: delete it.");
            }
        }
    }

    [Fact]
    public void Accept_switch_is_refused_on_ci()
    {
        // The switch must never silently pass on CI: Accept() asserts CI != true before writing.
        if (Snapshots.OnCi && Snapshots.Accepting)
        {
            Assert.Fail("BROKER_ACCEPT_SNAPSHOTS=1 is set on CI (CI=true). Snapshots are verified on CI, never rewritten.");
        }
    }

    [Fact]
    public void Hint_names_are_stable_and_unique()
    {
        var all = Cases.Keys.SelectMany(c => Generate(c).Keys).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, h => Assert.EndsWith(".g", h, StringComparison.Ordinal));
    }
}
