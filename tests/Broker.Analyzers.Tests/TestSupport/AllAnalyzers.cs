using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Broker.Analyzers.Tests.TestSupport;

/// <summary>Every analyzer in Broker.Analyzers, found by reflection so a new one is covered without editing tests.</summary>
internal static class AllAnalyzers
{
    public static ImmutableArray<DiagnosticAnalyzer> Create() =>
        [.. typeof(DiagnosticIds).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    /// <summary>The SDK's implicit global usings (net10.0 console/library projects), so repository sources bind as in their build.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Compiles sources the way the repository's projects do (latest language, nullable) and returns the BRK diagnostics.</summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsync(
        string assemblyName, IEnumerable<(string Path, string Text)> files, IEnumerable<MetadataReference> references)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Path)).ToList();
        var compilation = CSharpCompilation.Create(
            assemblyName,
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        Compilation final = compilation;
        var generators = SourceGenerators.Load();
        if (generators.Length > 0)
        {
            CSharpGeneratorDriver.Create(generators, parseOptions: parse).RunGeneratorsAndUpdateCompilation(compilation, out final, out _);
        }

        var withAnalyzers = final.WithAnalyzers(Create());
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.Where(d => d.Id.StartsWith("BRK", StringComparison.Ordinal))];
    }
}

/// <summary>The real source generators from Broker.Generators.dll (beside the test assembly), when it has any.</summary>
internal static class SourceGenerators
{
    public static ImmutableArray<ISourceGenerator> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Broker.Generators.dll");
        if (!File.Exists(path))
        {
            return [];
        }

        return [.. Assembly.LoadFrom(path).GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t))
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())];
    }
}
