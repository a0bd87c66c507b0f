namespace Broker.Sdk.Tests.TestSupport;

/// <summary>
/// Locates the golden captures from real Broker nodes. They live in <c>shared/golden</c> beside the repository
/// (CI copies <c>shared/</c> next to the clone; worktrees have a symlink), so we walk up from the test binaries to the
/// folder holding <c>Broker.Sdk.sln</c> and go one level further. A missing folder fails loudly: a golden test that
/// silently skips proves nothing.
/// </summary>
public static class Golden
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The <c>shared/golden</c> folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The repository root (the folder that contains <c>Broker.Sdk.sln</c>).</summary>
    public static string RepoRoot => FindRepoRoot();

    /// <summary>Full path of a golden file, e.g. <c>Path("native", "data_samples.values.tsv")</c>; throws if it is missing.</summary>
    public static string Path(params string[] parts)
    {
        var path = System.IO.Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Golden file '{path}' is missing (golden root: {Root}).", path);
        return path;
    }

    /// <summary>Reads a golden file as text.</summary>
    public static string ReadText(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>Reads a golden file as lines.</summary>
    public static string[] ReadLines(params string[] parts) => File.ReadAllLines(Path(parts));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Broker.Sdk.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException(
            $"Cannot find the repository root: no folder above '{AppContext.BaseDirectory}' contains Broker.Sdk.sln.");
    }

    private static string FindRoot()
    {
        var repo = FindRepoRoot();
        var golden = System.IO.Path.GetFullPath(System.IO.Path.Combine(repo, "..", "shared", "golden"));
        if (!Directory.Exists(golden))
            throw new InvalidOperationException(
                $"Golden captures not found at '{golden}'. Tests expect a copy of shared/ beside the repository " +
                $"(repository root: '{repo}'); golden tests must not be skipped.");
        return golden;
    }
}
