using Basic.Reference.Assemblies;
using Broker.Analyzers.Tests.TestSupport;
using Microsoft.CodeAnalysis;

namespace Broker.Analyzers.Tests;

/// <summary>
/// The analyzers stay silent on the samples and on the SDK's own tests (whatever .cs files exist when the test runs),
/// and a canary proves they really ran on those compilations.
/// </summary>
public class RepositoryIsCleanTests
{
    private static readonly MetadataReference[] References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(BrokerEndpoint).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(FactAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Assert).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Xunit.Abstractions.ITestOutputHelper).Assembly.Location),
    ];

    private const string Canary = """
        namespace BrokerAnalyzerCanary
        {
            internal static class Canary
            {
                internal static void Run(Broker.BrokerEndpoint e) => e.Subscribe("canary//prefix/");
            }
        }
        """;

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        string samples = Path.Combine(Repository.Root, "samples");
        if (Directory.Exists(samples))
        {
            foreach (string dir in Directory.GetDirectories(samples).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Repository.Root, dir));
            }
        }

        data.Add(Path.Combine("tests", "Broker.Sdk.Tests"));
        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task No_BRK_diagnostics_in(string project)
    {
        var files = SourceFiles(project);
        string assemblyName = Path.GetFileName(project); // Broker.Sdk.Tests sees the SDK's internals, as in its build

        var diagnostics = await AllAnalyzers.RunAsync(assemblyName, files, References);

        Assert.True(diagnostics.IsEmpty, $"{project}: {string.Join(Environment.NewLine, diagnostics)}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task The_analyzers_really_run_on(string project)
    {
        var files = SourceFiles(project).Append(("Canary.cs", Canary));

        var diagnostics = await AllAnalyzers.RunAsync(Path.GetFileName(project), files, References);

        Diagnostic canary = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.MalformedTopic, canary.Id);
        Assert.Equal("Canary.cs", canary.Location.SourceTree?.FilePath);
    }

    private static List<(string Path, string Text)> SourceFiles(string project)
    {
        string root = Path.Combine(Repository.Root, project);
        var files = new List<(string, string)> { ("GlobalUsings.g.cs", AllAnalyzers.ImplicitUsings + (project.StartsWith("tests", StringComparison.Ordinal) ? "global using Xunit;\n" : "")) };
        if (!Directory.Exists(root))
        {
            return files;
        }

        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, file);
            string first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "obj" or "bin")
            {
                continue;
            }

            files.Add((file, File.ReadAllText(file)));
        }

        return files;
    }
}
