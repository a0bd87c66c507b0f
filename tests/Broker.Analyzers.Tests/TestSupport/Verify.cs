using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Broker.Analyzers.Tests.TestSupport;

/// <summary>
/// Analyzer and code-fix tests against the real Broker.Sdk.dll and net10.0 reference assemblies from
/// Basic.Reference.Assemblies (no reference-pack download at test time).
/// </summary>
internal static class Verify
{
    /// <summary>net10.0 reference assemblies plus the SDK the test project builds.</summary>
    public static readonly MetadataReference[] References =
        [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(BrokerEndpoint).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackObjectAttribute).Assembly.Location)];

    private static readonly ReferenceAssemblies NoPackages = new("net10.0");

    /// <summary>Runs <typeparamref name="TAnalyzer"/> on markup source and checks the marked diagnostics exactly.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source, ReferenceAssemblies = NoPackages };
        test.TestState.AdditionalReferences.AddRange(References);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Runs <typeparamref name="TAnalyzer"/> on several files.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string[] sources, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { ReferenceAssemblies = NoPackages };
        for (int i = 0; i < sources.Length; i++)
        {
            test.TestState.Sources.Add(($"/0/Test{i}.cs", sources[i]));
        }

        test.TestState.AdditionalReferences.AddRange(References);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>
    /// Runs the analyzer, applies <typeparamref name="TFix"/> and compares with <paramref name="fixedSource"/>.
    /// Compilation-end (non-local) diagnostics need <paramref name="nonLocal"/>: the testing library otherwise refuses
    /// fixes for them, because an IDE only offers those fixes with full-solution analysis.
    /// </summary>
    public static Task CodeFixAsync<TAnalyzer, TFix>(string source, string fixedSource, string equivalenceKey, bool nonLocal = false)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
            ReferenceAssemblies = NoPackages,
            CodeFixTestBehaviors = nonLocal ? CodeFixTestBehaviors.SkipLocalDiagnosticCheck : CodeFixTestBehaviors.None,
        };
        test.TestState.AdditionalReferences.AddRange(References);
        test.FixedState.AdditionalReferences.AddRange(References);
        return test.RunAsync();
    }
}
