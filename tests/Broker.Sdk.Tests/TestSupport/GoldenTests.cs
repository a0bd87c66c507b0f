namespace Broker.Sdk.Tests.TestSupport;

public class GoldenTests
{
    [Fact]
    public void Golden_root_is_found_and_holds_the_native_captures()
    {
        Assert.True(File.Exists(Golden.Path("native", "data_samples.values.tsv")));
        Assert.True(File.Exists(System.IO.Path.Combine(Golden.RepoRoot, "Broker.Sdk.sln")));
    }

    [Fact]
    public void Missing_golden_file_fails_with_a_clear_message()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => Golden.Path("native", "no-such-file.bin"));
        Assert.Contains("no-such-file.bin", ex.Message);
    }
}
