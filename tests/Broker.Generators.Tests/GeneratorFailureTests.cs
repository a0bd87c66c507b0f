using Broker.Generators.Tests.TestSupport;

namespace Broker.Generators.Tests;

/// <summary>One broken contract reports one BRK9999 and does not drop the other contracts' output.</summary>
public class GeneratorFailureTests
{
    private const string Broken = """
        using Broker;

        namespace Broken;

        [BrokerEvents("bro/broken/")]
        public partial interface IBrokenEvents
        {
            [BrokerEvent("bad")]
            void Bad(System.Uri where, ulong count);
        }

        [BrokerRecord]
        public partial record BadRecord(System.Text.StringBuilder Builder);

        public class NotPartial
        {
            [BrokerEvents("bro/nested/")]
            public partial interface INested { [BrokerEvent("n")] void N(); }
        }

        [BrokerEvents("bro/dup/")]
        public partial interface IDuplicates
        {
            [BrokerEvent("same")] void A();
            [BrokerEvent("same")] void B();
        }
        """;

    [Fact]
    public void Each_broken_contract_reports_one_diagnostic_and_the_others_still_generate()
    {
        var (result, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile(("Demo.cs", Contracts.Demo), ("Broken.cs", Broken)));

        var diagnostics = result.Diagnostics;
        Assert.Equal(4, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("BRK9999", d.Id));

        var uri = Assert.Single(diagnostics, d => d.GetMessage().Contains("Broken.IBrokenEvents", StringComparison.Ordinal));
        Assert.Contains("Parameter 'where'", uri.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'Uri'", uri.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Broken.cs", uri.Location.GetLineSpan().Path);
        Assert.Equal(5, uri.Location.GetLineSpan().StartLinePosition.Line); // zero-based: the interface declaration

        Assert.Single(diagnostics, d => d.GetMessage().Contains("Broken.BadRecord", StringComparison.Ordinal) && d.GetMessage().Contains("StringBuilder", StringComparison.Ordinal));
        Assert.Single(diagnostics, d => d.GetMessage().Contains("Broken.IDuplicates", StringComparison.Ordinal) && d.GetMessage().Contains("'same' is declared twice", StringComparison.Ordinal));

        Assert.Single(diagnostics, d => d.GetMessage().Contains("'NotPartial' must be declared partial", StringComparison.Ordinal));

        var hints = result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Contains("Demo.IDemoEvents.BrokerEvents.g.cs", hints);
        Assert.Contains("Demo.TestInfo.LogStream.g.cs", hints);
        Assert.DoesNotContain(hints, h => h.StartsWith("Broken.", StringComparison.Ordinal));
    }

    [Fact]
    public void Fixing_the_broken_contract_clears_the_diagnostic()
    {
        var fixedSource = Broken.Replace("System.Uri where", "string where").Replace("System.Text.StringBuilder Builder", "string Builder").Replace("void B();", "void B(); [BrokerEvent(\"other\")] void C();").Replace("[BrokerEvent(\"same\")] void B();", "[BrokerEvent(\"same2\")] void B();").Replace("public class NotPartial", "public partial class NotPartial");
        var (result, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(("Broken.cs", fixedSource)));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        Assert.Equal(4, result.Results.Single().GeneratedSources.Length);
    }
}
