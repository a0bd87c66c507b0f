namespace Broker.Samples.Tests;

/// <summary>samples/README.md states the same facts as <see cref="ExpectedOutput"/>: the commands and every line.</summary>
public sealed class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(SampleProcess.RepoRoot, "samples", "README.md"));

    public static TheoryData<string> Samples() => new(ExpectedOutput.Pairs.Keys);

    [Theory]
    [MemberData(nameof(Samples))]
    public void Readme_lists_the_commands_and_every_expected_line(string sample)
    {
        var pair = ExpectedOutput.Pairs[sample];
        Assert.Contains($"dotnet run --project samples/{sample} -- listener\n", Readme);
        Assert.Contains($"dotnet run --project samples/{sample} -- connector\n", Readme);
        Assert.Contains("```\n" + string.Join('\n', pair.Listener.Select(ExpectedOutput.ForReadme)) + "\n```", Readme);
        Assert.Contains("```\n" + string.Join('\n', pair.Connector.Select(ExpectedOutput.ForReadme)) + "\n```", Readme);
    }

    [Fact]
    public void Readme_starts_with_the_quickstart()
    {
        int quickstart = Readme.IndexOf("dotnet run --project samples/Quickstart\n", StringComparison.Ordinal);
        Assert.True(quickstart >= 0, "the Quickstart command is missing");
        Assert.Equal(quickstart, Readme.IndexOf("dotnet run --project samples/", StringComparison.Ordinal));
    }
}
