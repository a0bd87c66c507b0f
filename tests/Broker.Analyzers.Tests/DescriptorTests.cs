using System.Reflection;
using System.Text.RegularExpressions;
using Broker.Analyzers.Tests.TestSupport;
using Microsoft.CodeAnalysis;

namespace Broker.Analyzers.Tests;

/// <summary>Descriptor hygiene: stable ids in one place, a category, a help link and a doc page each, release tracking.</summary>
public class DescriptorTests
{
    private static readonly DiagnosticDescriptor[] All = [.. typeof(Descriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)];

    private static readonly string[] Ids = [.. typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Fact]
    public void Ids_are_unique_and_well_formed()
    {
        Assert.Equal(Ids.Length, Ids.Distinct().Count());
        Assert.All(Ids, id => Assert.Matches(new Regex("^BRK[0-9]{4}$"), id));
        Assert.Contains("BRK9999", Ids); // reserved for the generator
    }

    [Fact]
    public void Every_id_but_the_generators_has_exactly_one_descriptor()
    {
        Assert.Equal(Ids.Where(id => id != DiagnosticIds.GeneratorFailed).Order(), All.Select(d => d.Id).Order());
    }

    [Fact]
    public void Every_descriptor_has_category_help_link_and_doc_page()
    {
        foreach (DiagnosticDescriptor descriptor in All)
        {
            Assert.Contains(descriptor.Category, new[] { "Usage", "Reliability", "Performance" });
            Assert.Equal(Descriptors.HelpLinkBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
            Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString()), descriptor.Id);
        }

        foreach (string id in Ids)
        {
            string page = Path.Combine(Repository.Root, "docs", "diagnostics", id + ".md");
            Assert.True(File.Exists(page), $"missing {page}");
            Assert.StartsWith("# " + id, File.ReadAllText(page), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_descriptor_is_in_the_release_files_with_its_category_and_severity()
    {
        string dir = Path.Combine(Repository.Root, "src", "Broker.Analyzers");
        string releases = File.ReadAllText(Path.Combine(dir, "AnalyzerReleases.Shipped.md")) + File.ReadAllText(Path.Combine(dir, "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor descriptor in All)
        {
            Assert.Matches(new Regex($@"(?m)^{descriptor.Id}\s*\|\s*{descriptor.Category}\s*\|\s*{descriptor.DefaultSeverity}\s*\|"), releases);
        }
    }

    [Fact]
    public void Every_descriptor_is_reported_by_some_analyzer_and_compilation_end_ones_are_tagged()
    {
        var supported = AllAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).ToList();
        foreach (DiagnosticDescriptor descriptor in All)
        {
            Assert.Single(supported, d => d.Id == descriptor.Id);
        }

        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, Descriptors.LikelyTopicTypo.CustomTags);
        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, Descriptors.DuplicateEventName.CustomTags);
    }
}
